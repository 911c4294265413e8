// @ts-check
/**
 * Message search (`#/messages?status=failed&…`): the filters of GET /messages in a form whose values live in
 * the route, the summaries newest first with a link to each message's timeline, and further pages on demand.
 * Also opens a message by its id, which works without the index.
 */
import { runAction } from "./actions.js";
import { apiGet } from "./api.js";
import { button, el, routeLink, table } from "./dom.js";
import { utc } from "./format.js";
import { readSearch } from "./shape-index.js";

/** The statuses GET /messages filters on. */
const STATUSES = [
  "sending",
  "sent",
  "delivered",
  "failed",
  "read",
  "received",
  "suggestion-response",
  "location-response",
  "unknown",
  "mixed",
];

/** The text filters, with their labels and hints. */
const TEXT_FILTERS = [
  ["applicationId", "Application id", ""],
  ["from", "From", "exactly"],
  ["to", "To (any recipient)", "exactly"],
  ["tag", "Tag", "exactly"],
  ["errorCode", "Error code", "e.g. 4720"],
  ["since", "Since", "RFC 3339, e.g. 2026-11-30T00:00:00Z"],
  ["until", "Until", "RFC 3339"],
];

/** A select of `options` (plus "any") named `name`. @param {string} name @param {string[]} options @param {string} value */
function select(name, options, value) {
  return el(
    "select",
    { testid: `filter-${name}`, attrs: { id: `filter-${name}` } },
    el("option", { attrs: { value: "" } }, "any"),
    ...options.map((option) =>
      el("option", { attrs: { value: option, selected: option === value } }, option),
    ),
  );
}

/** The form; submitting it moves to the route of its filters. @param {URLSearchParams} params */
function filterForm(params) {
  const status = select("status", STATUSES, params.get("status") ?? "");
  const direction = select("direction", ["inbound", "outbound"], params.get("direction") ?? "");
  const inputs = TEXT_FILTERS.map(([name = "", label, hint]) => {
    const input = el("input", {
      testid: `filter-${name}`,
      attrs: { id: `filter-${name}`, placeholder: hint, autocomplete: "off" },
    });
    input.value = params.get(name) ?? "";
    return { name, label, input };
  });
  const form = el(
    "form",
    { testid: "search-form", className: "filters", attrs: { method: "post" } },
    el("label", { attrs: { for: "filter-status" } }, "Status", status),
    el("label", { attrs: { for: "filter-direction" } }, "Direction", direction),
    ...inputs.map(({ name, label, input }) =>
      el("label", { attrs: { for: `filter-${name}` } }, label, input),
    ),
    el("button", { testid: "search-submit", attrs: { type: "submit" } }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (status.value) query.set("status", status.value);
    if (direction.value) query.set("direction", direction.value);
    for (const { name, input } of inputs) if (input.value.trim()) query.set(name, input.value.trim());
    location.hash = `#/messages?${query}`;
  });
  return form;
}

/** Opens a message by id. */
function lookupForm() {
  const input = el("input", {
    testid: "lookup-id",
    attrs: { id: "lookup-id", autocomplete: "off", placeholder: "message id" },
  });
  const form = el(
    "form",
    { testid: "lookup-form", className: "lookup", attrs: { method: "post" } },
    el("label", { attrs: { for: "lookup-id" } }, "Open a message by id", input),
    el("button", { testid: "lookup-submit", attrs: { type: "submit" } }, "Open"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) location.hash = `#/messages/${encodeURIComponent(input.value.trim())}`;
  });
  return form;
}

/** One row per summary. @param {ReturnType<typeof readSearch>["messages"]} messages */
function rows(messages) {
  return messages.map((m) => ({
    testid: "search-row",
    attrs: { "data-message-id": m.id, "data-status": m.status },
    cells: [
      routeLink(`#/messages/${encodeURIComponent(m.id)}`, m.id, "search-row-link"),
      utc(m.time),
      m.direction,
      m.from,
      m.to.join(", "),
      m.status,
      m.errorCodes.join(", "),
      m.tag ?? "",
      `${m.pending} / ${m.dead} / ${m.quarantined}`,
    ],
  }));
}

/** Renders the search into `view` and, when the route has filters or asks for it, its results. @param {HTMLElement} view @param {URLSearchParams} params */
export async function renderSearch(view, params) {
  view.append(el("h1", {}, "Messages"), lookupForm(), filterForm(params));
  const query = new URLSearchParams(params);
  const page = readSearch(await apiGet(`/messages?${query}`));
  const columns = [
    "Message id",
    "Time",
    "Direction",
    "From",
    "To",
    "Status",
    "Error codes",
    "Tag",
    "Pending / dead / held",
  ];
  const results = table("search-results", columns, rows(page.messages));
  const tbody = results.tBodies[0];
  const count = el(
    "p",
    { testid: "search-count", className: "muted" },
    `${page.messages.length} message(s), newest first.`,
  );
  view.append(count, results);
  let cursor = page.nextCursor;
  if (!cursor) return;
  const outcome = el("div");
  const more = button("More", "search-more", () =>
    runAction(outcome, async () => {
      if (!cursor) return "";
      query.set("cursor", cursor);
      const next = readSearch(await apiGet(`/messages?${query}`));
      tbody?.append(...Array.from(table("", [], rows(next.messages)).tBodies[0]?.rows ?? []));
      cursor = next.nextCursor;
      if (!cursor) more.remove();
      return "";
    }),
  );
  view.append(more, outcome);
}
