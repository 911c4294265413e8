// @ts-check
/**
 * The only way the console builds its page: elements and text nodes. A value is always a text node, never
 * markup, so a message text of `<img src=x onerror=alert(1)>` shows those characters. Attributes are checked:
 * no event handler, no style, and links only to the console's own routes.
 */

/** @typedef {Node | string | number | null | undefined | false} Child */
/**
 * @typedef {object} Props
 * @property {string} [testid] the `data-testid` the tests and the operator's tools select by
 * @property {string} [className]
 * @property {Record<string, string | number | boolean | undefined>} [attrs] attributes (`false`/undefined: absent)
 * @property {Record<string, (event: Event) => void>} [on] event listeners
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/** Refuses attributes that could run code or style: event handlers, `style`, `srcdoc`, off-site links. */
function checkAttribute(/** @type {string} */ name, /** @type {string} */ value) {
  const lower = name.toLowerCase();
  if (lower.startsWith("on") || lower === "style" || lower === "srcdoc") {
    throw new Error(`attribute ${name} is not allowed`);
  }
  if ((lower === "href" || lower === "src" || lower === "action") && !/^(#|\/(?!\/))/.test(value)) {
    throw new Error(`${name} must be a path of this origin`);
  }
}

/** Appends `children` to `node`, strings and numbers as text nodes. @param {Node} node @param {Child[]} children */
export function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** @param {Element} node @param {Props} props */
function apply(node, props) {
  if (props.testid) node.setAttribute("data-testid", props.testid);
  if (props.className) node.setAttribute("class", props.className);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    const text = value === true ? "" : String(value);
    checkAttribute(name, text);
    node.setAttribute(name, text);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) node.addEventListener(type, listener);
}

/**
 * An HTML element with `props` and `children`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Props} [props] @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  apply(node, props);
  append(node, children);
  return node;
}

/**
 * An SVG element (for the charts) with `props` and `children`.
 * @param {string} tag @param {Props} [props] @param {...Child} children
 * @returns {SVGElement}
 */
export function svg(tag, props = {}, ...children) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  apply(node, props);
  append(node, children);
  return node;
}

/**
 * A table: a header row of `columns` and one row per item of `rows` (each a list of cells).
 * @param {string} testid @param {string[]} columns @param {Array<{testid?: string, attrs?: Props["attrs"], cells: Child[]}>} rows
 */
export function table(testid, columns, rows) {
  return el(
    "table",
    { testid },
    el("thead", {}, el("tr", {}, ...columns.map((column) => el("th", { attrs: { scope: "col" } }, column)))),
    el(
      "tbody",
      {},
      ...rows.map((row) =>
        el("tr", { testid: row.testid, attrs: row.attrs }, ...row.cells.map((cell) => el("td", {}, cell))),
      ),
    ),
  );
}

/** A link to a console route, e.g. `#/messages/<id>` (the id encoded). @param {string} route @param {Child} label @param {string} [testid] */
export function routeLink(route, label, testid) {
  return el("a", { attrs: { href: route }, testid }, label);
}

/** A button that runs `action` on click. @param {string} label @param {string} testid @param {() => void} action */
export function button(label, testid, action) {
  return el("button", { testid, attrs: { type: "button" }, on: { click: action } }, label);
}

/** A line for an operation's outcome or failure (role status or alert). @param {string} testid @param {string} text @param {boolean} [failed] */
export function notice(testid, text, failed = false) {
  return el(
    "p",
    { testid, className: failed ? "notice failed" : "notice", attrs: { role: failed ? "alert" : "status" } },
    text,
  );
}
