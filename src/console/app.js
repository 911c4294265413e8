// @ts-check
/**
 * The operator console's entry: the sign-in, the routes of the location's hash (`#/stats`, `#/messages`,
 * `#/messages/<id>`, `#/dead-letters`, `#/quarantine`, `#/destinations`) and how a view's failure is shown.
 * The admin token never goes into a URL: the routes carry filters and ids only.
 */
import { describeFailure, SIGNED_OUT_EVENT } from "./actions.js";
import { ApiError, apiGet, getHealth } from "./api.js";
import { el, notice } from "./dom.js";
import { clearToken, readToken, writeToken } from "./session.js";
import { readHealthz } from "./shape-lists.js";
import { renderDeadLetters } from "./view-dead-letters.js";
import { renderDestinations } from "./view-destinations.js";
import { renderMessage } from "./view-message.js";
import { renderOverview } from "./view-overview.js";
import { renderQuarantine } from "./view-quarantine.js";
import { renderSearch } from "./view-search.js";

/** @typedef {{refresh: (outcome?: string) => Promise<void>}} ViewContext */
/** @typedef {{name: string, render: (view: HTMLElement, ctx: ViewContext) => Promise<void>}} Route */

const main = /** @type {HTMLElement} */ (document.querySelector("main"));
const nav = /** @type {HTMLElement} */ (document.querySelector("nav"));
const signOut = /** @type {HTMLButtonElement} */ (document.querySelector("[data-testid=sign-out]"));
/** Each render's number: a slow answer for a view the operator already left is dropped. */
let renders = 0;

/** The route of a location hash. @param {string} hash @returns {Route} */
export function routeOf(hash) {
  const [path = "", query = ""] = hash.replace(/^#/, "").split("?", 2);
  const params = new URLSearchParams(query);
  const message = /^\/messages\/(.+)$/.exec(path);
  if (message) {
    const raw = message[1] ?? "";
    let id = raw;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // A malformed escape: look the id up as written.
    }
    return { name: "message", render: (view, ctx) => renderMessage(view, id, ctx) };
  }
  switch (path) {
    case "/messages":
      return { name: "search", render: (view) => renderSearch(view, params) };
    case "/dead-letters":
      return { name: "dead-letters", render: (view, ctx) => renderDeadLetters(view, params, ctx) };
    case "/quarantine":
      return { name: "quarantine", render: (view, ctx) => renderQuarantine(view, ctx) };
    case "/destinations":
      return { name: "destinations", render: (view, ctx) => renderDestinations(view, ctx) };
    default:
      return { name: "overview", render: (view) => renderOverview(view) };
  }
}

/** Marks the navigation link of the current view. @param {string} name */
function markNavigation(name) {
  const current =
    { overview: "nav-overview", search: "nav-search", message: "nav-search" }[name] ?? `nav-${name}`;
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.testid === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Shows the current route's view (or the sign-in); `outcome` is the result of the action that led here. @param {string} [outcome] */
async function render(outcome) {
  const number = ++renders;
  if (!readToken()) {
    showSignIn();
    return;
  }
  nav.hidden = false;
  signOut.hidden = false;
  const route = routeOf(location.hash);
  markNavigation(route.name);
  const view = el("div", { testid: `view-${route.name}`, className: "view" });
  if (outcome) view.append(notice("action-result", outcome));
  main.replaceChildren(view);
  main.dataset.view = route.name;
  main.dataset.state = "loading";
  main.dataset.render = String(number);
  try {
    await route.render(view, { refresh: (next) => (number === renders ? render(next) : Promise.resolve()) });
    if (number === renders) main.dataset.state = "ready";
  } catch (error) {
    if (number !== renders) return;
    if (error instanceof ApiError && error.status === 401) {
      showSignIn(error.message);
      return;
    }
    view.append(notice("error", describeFailure(error), true));
    main.dataset.state = "error";
  }
}

/** The sign-in form; `message` says why it is shown again. @param {string} [message] */
function showSignIn(message) {
  renders++;
  nav.hidden = true;
  signOut.hidden = true;
  // No `name`: were the script ever not to handle the submit, the browser would have no field to send.
  const input = el("input", {
    testid: "signin-token",
    attrs: { id: "signin-token", type: "password", autocomplete: "off", spellcheck: "false", required: true },
  });
  const failure = el(
    "div",
    { testid: "signin-outcome" },
    message ? notice("signin-error", message, true) : null,
  );
  const form = el(
    "form",
    { testid: "signin-form", className: "signin", attrs: { method: "post" } },
    el("h1", {}, "Sign in"),
    el("label", { attrs: { for: "signin-token" } }, "Admin token", input),
    el("button", { testid: "signin-submit", attrs: { type: "submit" } }, "Sign in"),
    el(
      "p",
      { className: "muted" },
      "The token is kept in this tab only (sessionStorage) and sent only in the Authorization header.",
    ),
    failure,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    failure.replaceChildren();
    void signIn(input.value.trim(), failure);
  });
  main.replaceChildren(form);
  main.dataset.view = "signin";
  main.dataset.state = "ready";
  main.dataset.render = String(renders);
  input.focus();
}

/** Checks `token` with a cheap authenticated call; keeps it only if the receiver accepts it. @param {string} token @param {HTMLElement} failure */
async function signIn(token, failure) {
  if (!token) return;
  writeToken(token);
  try {
    await apiGet("/dead-letters?limit=1");
  } catch (error) {
    clearToken();
    const text =
      error instanceof ApiError && error.status === 401
        ? "The receiver refused this token."
        : describeFailure(error);
    failure.replaceChildren(notice("signin-error", text, true));
    return;
  }
  await render();
}

/** Shows the receiver's version and whether its configuration is complete (GET /healthz, no token). */
async function showHealth() {
  const place = /** @type {HTMLElement} */ (document.querySelector("[data-testid=health]"));
  try {
    const health = readHealthz(await getHealth());
    place.textContent = health.configured
      ? `v${health.version} · configured`
      : `v${health.version} · configuration incomplete: ${health.problems.join("; ")}`;
    place.className = health.configured ? "health ok" : "health failed";
  } catch {
    place.textContent = "health unknown";
  }
}

signOut.addEventListener("click", () => {
  clearToken();
  showSignIn();
});
window.addEventListener(SIGNED_OUT_EVENT, (event) => {
  showSignIn(event instanceof CustomEvent ? String(event.detail) : undefined);
});
window.addEventListener("hashchange", () => void render());
void showHealth();
void render();
