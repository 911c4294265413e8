// @ts-check
/**
 * Dead letters (`#/dead-letters?destination=crm`): every event that could not be forwarded, oldest first, with
 * its destination, attempts and last error; redelivery per message or in bulk (every message, following the
 * answers' `nextCursor`), to every destination or one.
 */
import { runAction } from "./actions.js";
import { apiGet, apiPost, apiPostBatches } from "./api.js";
import { append, button, el, routeLink, table } from "./dom.js";
import { utc } from "./format.js";
import { readDeadLetters, readRedelivered } from "./shape-lists.js";

/** Entries per page. */
const PAGE = 100;

/** @typedef {{refresh: (outcome?: string) => Promise<void>}} ViewContext */

/** The destination filter; applying it moves to its route. @param {string} destination */
function destinationForm(destination) {
  const input = el("input", {
    testid: "dead-letters-destination",
    attrs: { id: "dead-letters-destination", placeholder: "every destination", autocomplete: "off" },
  });
  input.value = destination;
  const form = el(
    "form",
    { className: "filters", attrs: { method: "post" } },
    el("label", { attrs: { for: "dead-letters-destination" } }, "Destination", input),
    el("button", { testid: "dead-letters-filter", attrs: { type: "submit" } }, "Show"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = input.value.trim();
    location.hash = name ? `#/dead-letters?${new URLSearchParams({ destination: name })}` : "#/dead-letters";
  });
  return form;
}

/** Renders the dead letters into `view`. @param {HTMLElement} view @param {URLSearchParams} params @param {ViewContext} ctx */
export async function renderDeadLetters(view, params, ctx) {
  const destination = params.get("destination") ?? "";
  const query = new URLSearchParams({ limit: String(PAGE) });
  if (destination) query.set("destination", destination);
  view.append(el("h1", {}, "Dead letters"), destinationForm(destination));
  const page = readDeadLetters(await apiGet(`/dead-letters?${query}`));
  const place = el("div", { testid: "dead-letters-outcome" });
  /** @param {string} messageId @param {string | undefined} to */
  const redeliverMessage = (messageId, to) =>
    runAction(
      place,
      async () => {
        const body = to ? { destination: to } : {};
        const { redelivered } = readRedelivered(
          await apiPost(`/messages/${encodeURIComponent(messageId)}/redeliver`, body),
        );
        return `Redelivery started: ${redelivered} event(s) of ${messageId}${to ? ` to ${to}` : ""}.`;
      },
      ctx.refresh,
    );
  // Every message, a batch a request: the cursor goes past messages whose redelivery scheduled nothing.
  const redeliverAll = () =>
    runAction(
      place,
      async () => {
        const answers = await apiPostBatches(
          "/dead-letters/redeliver",
          destination ? { destination } : {},
          readRedelivered,
        );
        const redelivered = answers.reduce((sum, answer) => sum + answer.redelivered, 0);
        const messages = answers.reduce((sum, answer) => sum + (answer.messages ?? 0), 0);
        return `Redelivery started: ${redelivered} event(s) of ${messages} message(s).`;
      },
      ctx.refresh,
    );
  const total = page.total ?? page.items.length;
  append(view, [
    el(
      "div",
      { className: "actions" },
      el(
        "span",
        { testid: "dead-letters-total" },
        `${total} dead letter(s)${destination ? ` for ${destination}` : ""}.`,
      ),
      page.items.length > 0
        ? button("Redeliver all", "dead-letters-redeliver-all", () => void redeliverAll())
        : null,
      button("Refresh", "refresh", () => void ctx.refresh()),
      place,
    ),
    table(
      "dead-letters",
      ["Dead since", "Message", "#", "Type", "Destination", "Attempts", "Last error", ""],
      page.items.map((item) => ({
        testid: "dead-letter-row",
        attrs: { "data-message-id": item.messageId, "data-event-id": item.eventId },
        cells: [
          utc(item.deadAt),
          routeLink(`#/messages/${encodeURIComponent(item.messageId)}`, item.messageId),
          item.sequence,
          item.type,
          item.destination ?? "",
          item.attempts,
          item.lastError,
          button(
            "Redeliver",
            "dead-letter-redeliver",
            () => void redeliverMessage(item.messageId, item.destination),
          ),
        ],
      })),
    ),
    page.nextCursor
      ? el("p", { className: "muted" }, `Showing the oldest ${PAGE}; redeliver them to see the next ones.`)
      : null,
  ]);
}
