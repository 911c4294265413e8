// @ts-check
/**
 * Quarantine (`#/quarantine`): the events held because they did not validate, oldest first, with their
 * issues (never their text or numbers); release re-validates a message's held events, or every message's
 * (following the answers' `nextCursor`).
 */
import { runAction } from "./actions.js";
import { apiGet, apiPost, apiPostBatches } from "./api.js";
import { button, el, routeLink, table } from "./dom.js";
import { utc } from "./format.js";
import { readQuarantine, readReleased } from "./shape-lists.js";

/** @typedef {{refresh: (outcome?: string) => Promise<void>}} ViewContext */

/** Renders the quarantine into `view`. @param {HTMLElement} view @param {ViewContext} ctx */
export async function renderQuarantine(view, ctx) {
  view.append(el("h1", {}, "Quarantine"));
  const page = readQuarantine(await apiGet("/quarantine?limit=100"));
  const place = el("div", { testid: "quarantine-outcome" });
  /** @param {string} messageId */
  const release = (messageId) =>
    runAction(
      place,
      async () => {
        const answer = readReleased(await apiPost("/quarantine/release", { messageId }));
        return `Released ${answer.released} event(s) of ${messageId}; ${answer.remaining} of its events still held.`;
      },
      ctx.refresh,
    );
  // Every message, a batch a request: the cursor goes past messages whose events are still invalid.
  const releaseAll = () =>
    runAction(
      place,
      async () => {
        const answers = await apiPostBatches("/quarantine/release", {}, readReleased);
        const released = answers.reduce((sum, answer) => sum + answer.released, 0);
        const remaining = answers[answers.length - 1]?.remaining ?? 0;
        return `Released ${released} event(s); ${remaining} still held in all.`;
      },
      ctx.refresh,
    );
  const total = page.total ?? page.items.length;
  view.append(
    el(
      "p",
      { className: "muted" },
      "Release re-validates held events with the receiver's current schemas: the valid ones are accepted as if they had just arrived, the others stay.",
    ),
    el(
      "div",
      { className: "actions" },
      el("span", { testid: "quarantine-total" }, `${total} event(s) held.`),
      page.items.length > 0 ? button("Release all", "quarantine-release-all", () => void releaseAll()) : null,
      button("Refresh", "refresh", () => void ctx.refresh()),
      place,
    ),
    table(
      "quarantine",
      ["Held since", "Message", "Type", "Issues", ""],
      page.items.map((item) => ({
        testid: "quarantine-row",
        attrs: { "data-message-id": item.messageId, "data-event-id": item.eventId },
        cells: [
          utc(item.quarantinedAt),
          routeLink(`#/messages/${encodeURIComponent(item.messageId)}`, item.messageId),
          item.type,
          el(
            "ul",
            { className: "issues" },
            ...item.issues.map((issue) => el("li", {}, el("code", {}, issue.path), ` ${issue.message}`)),
          ),
          button("Release", "quarantine-release", () => void release(item.messageId)),
        ],
      })),
    ),
  );
}
