// @ts-check
/**
 * A message's timeline (`#/messages/<id>`): its header, each recipient's status, the events in time order
 * with their forwarding per destination, the events held in quarantine, and redelivery (dead events or all,
 * to every destination or one).
 */
import { runAction } from "./actions.js";
import { apiGet, apiPost } from "./api.js";
import { append, button, el, table } from "./dom.js";
import { errorCodeClass, utc } from "./format.js";
import { readRedelivered } from "./shape-lists.js";
import { readMessage } from "./shape-message.js";

/** @typedef {ReturnType<typeof readMessage>} Message */
/** @typedef {{refresh: (outcome?: string) => Promise<void>}} ViewContext */

/** A definition list of the message's header. @param {Message} m */
function details(m) {
  /** @type {Array<[string, string, string | number | undefined]>} */
  const items = [
    ["Status", "message-status", m.status],
    ["Direction", "message-direction", m.direction],
    ["From", "message-from", m.from],
    ["To", "message-to", m.to.join(", ")],
    ["Owner", "message-owner", m.owner],
    ["Application", "message-application", m.applicationId],
    ["Segments", "message-segments", m.segmentCount],
    ["Tag", "message-tag", m.tag],
    ["Text", "message-text", m.text],
  ];
  return el(
    "dl",
    { className: "details" },
    ...items
      .filter(([, , value]) => value !== undefined)
      .flatMap(([label, testid, value]) => [el("dt", {}, label), el("dd", { testid }, value)]),
  );
}

/** An error code with what its range means. @param {number | undefined} code */
function errorCode(code) {
  return code === undefined ? "" : `${code} (${errorCodeClass(code)})`;
}

/** The recipients' table. @param {Message} m */
function recipients(m) {
  return table(
    "recipients",
    ["Recipient", "Status", "Error code", "Description", "Time"],
    m.recipients.map((r) => ({
      testid: "recipient-row",
      attrs: { "data-recipient": r.recipient, "data-status": r.status },
      cells: [
        r.recipient,
        r.conflict ? `${r.status} (Bandwidth also reported the other outcome)` : r.status,
        errorCode(r.errorCode),
        r.description ?? "",
        utc(r.time),
      ],
    })),
  );
}

/** One event's forwarding, a line per destination. @param {Message["events"][number]} event */
function forwarding(event) {
  return el(
    "ul",
    { testid: "forwarding", className: "deliveries" },
    ...event.deliveries.map((d) =>
      el(
        "li",
        {
          testid: "delivery",
          attrs: { "data-destination": d.destination, "data-state": d.state },
          className: `state-${d.state}`,
        },
        `${d.destination}: ${d.state}, ${d.attempts} attempt(s)`,
        d.lastError ? ` — ${d.lastError}` : "",
        d.nextAttemptAt ? ` — next ${utc(d.nextAttemptAt)}` : "",
      ),
    ),
  );
}

/** The events' table. @param {Message} m */
function events(m) {
  return table(
    "events",
    ["#", "Time", "Type", "Recipient", "Error code", "Description", "Duplicates", "Forwarding", "Trace id"],
    m.events.map((e) => ({
      testid: "event-row",
      attrs: { "data-event-id": e.id },
      cells: [
        e.sequence,
        utc(e.time),
        e.type,
        e.recipient,
        errorCode(e.errorCode),
        e.description ?? "",
        e.duplicates,
        forwarding(e),
        el("code", { testid: "event-trace" }, e.traceId ?? ""),
      ],
    })),
  );
}

/** The held events of the message. @param {Message} m */
function held(m) {
  if (m.quarantined.length === 0) return null;
  return el(
    "section",
    {},
    el("h2", {}, "Held in quarantine"),
    table(
      "message-quarantined",
      ["Event", "Type", "Issues", "Held since"],
      m.quarantined.map((q) => ({
        cells: [
          q.id,
          q.type,
          q.issues.map((i) => `${i.path}: ${i.message}`).join("; "),
          utc(q.quarantinedAt),
        ],
      })),
    ),
  );
}

/** The redelivery controls. @param {Message} m @param {ViewContext} ctx */
function redelivery(m, ctx) {
  const names = [...new Set(m.events.flatMap((e) => e.deliveries.map((d) => d.destination)))].sort();
  const target = el(
    "select",
    { testid: "redeliver-destination", attrs: { id: "redeliver-destination" } },
    el("option", { attrs: { value: "" } }, "every destination"),
    ...(names.length > 1 ? names.map((name) => el("option", { attrs: { value: name } }, name)) : []),
  );
  const place = el("div", { testid: "redeliver-outcome" });
  const redeliver = (/** @type {boolean} */ all) =>
    runAction(
      place,
      async () => {
        const body = {
          ...(all ? { all: true } : {}),
          ...(target.value ? { destination: target.value } : {}),
        };
        const { redelivered } = readRedelivered(
          await apiPost(`/messages/${encodeURIComponent(m.id)}/redeliver`, body),
        );
        return `Redelivery started: ${redelivered} event(s) of ${m.id}.`;
      },
      ctx.refresh,
    );
  return el(
    "div",
    { className: "actions" },
    el("label", { attrs: { for: "redeliver-destination" } }, "Redeliver to", target),
    button("Redeliver dead events", "redeliver-dead", () => void redeliver(false)),
    button("Redeliver every event", "redeliver-all", () => void redeliver(true)),
    button("Refresh", "refresh", () => void ctx.refresh()),
    place,
  );
}

/** Renders message `id` into `view`. @param {HTMLElement} view @param {string} id @param {ViewContext} ctx */
export async function renderMessage(view, id, ctx) {
  view.append(el("h1", {}, "Message ", el("code", { testid: "message-id" }, id)));
  const m = readMessage(await apiGet(`/messages/${encodeURIComponent(id)}`));
  append(view, [
    details(m),
    redelivery(m, ctx),
    el("h2", {}, "Recipients"),
    recipients(m),
    el("h2", {}, "Events"),
    events(m),
    held(m),
  ]);
}
