// @ts-check
/**
 * GET /messages/:id as the console reads it. `forwarding` is becoming per destination: both shapes are read
 * here, and only here.
 */
import { fields, readIssues } from "./shape-fields.js";

/**
 * @typedef {{destination: string, state: string, attempts: number, lastError?: string,
 *   nextAttemptAt?: string, forwardedAt?: string}} Delivery
 */

/**
 * An event's forwarding, one entry per destination, sorted by name. Reads both shapes: the per-destination
 * `{"crm": {state, attempts, lastError?}, …}` and the older single `{state, attempts, lastError?}` (the one
 * downstream, which the per-destination receiver names `default`).
 * @param {unknown} forwarding
 * @returns {Delivery[]}
 */
export function deliveriesOf(forwarding) {
  const f = fields("GET /messages/:id");
  const record = f.record(forwarding, "events[].forwarding");
  const single = typeof record.state === "string";
  const entries = single ? [["default", record]] : Object.entries(record);
  return entries
    .map(([destination, value]) => {
      const delivery = f.record(value, `events[].forwarding.${destination}`);
      return {
        destination: String(destination),
        state: f.string(delivery.state, "forwarding.state"),
        attempts: f.number(delivery.attempts, "forwarding.attempts"),
        lastError: f.optionalString(delivery.lastError),
        nextAttemptAt: f.optionalString(delivery.nextAttemptAt),
        forwardedAt: f.optionalString(delivery.forwardedAt),
      };
    })
    .sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
}

/** GET /messages/:id. @param {unknown} body */
export function readMessage(body) {
  const f = fields("GET /messages/:id");
  const m = f.record(body, "body");
  return {
    id: f.string(m.id, "id"),
    direction: f.string(m.direction, "direction"),
    from: f.string(m.from, "from"),
    to: f.list(m.to, "to").map((to) => f.string(to, "to[]")),
    owner: f.optionalString(m.owner),
    applicationId: f.optionalString(m.applicationId),
    segmentCount: f.optionalNumber(m.segmentCount),
    status: f.string(m.status, "status"),
    text: f.optionalString(m.text),
    tag: f.optionalString(m.tag),
    recipients: f.list(m.recipients, "recipients").map((value) => {
      const r = f.record(value, "recipients[]");
      return {
        recipient: f.string(r.recipient, "recipients[].recipient"),
        status: f.string(r.status, "recipients[].status"),
        errorCode: f.optionalNumber(r.errorCode),
        description: f.optionalString(r.description),
        time: f.optionalString(r.time),
        conflict: r.conflict === true,
      };
    }),
    events: f.list(m.events, "events").map((value) => {
      const e = f.record(value, "events[]");
      return {
        id: f.string(e.id, "events[].id"),
        sequence: f.number(e.sequence, "events[].sequence"),
        type: f.string(e.type, "events[].type"),
        recipient: f.string(e.recipient, "events[].recipient"),
        time: f.string(e.time, "events[].time"),
        description: f.optionalString(e.description),
        errorCode: f.optionalNumber(e.errorCode),
        duplicates: f.optionalNumber(e.duplicates) ?? 0,
        traceId: f.optionalString(e.traceId),
        deliveries: deliveriesOf(e.forwarding),
      };
    }),
    quarantined: (m.quarantined === undefined ? [] : f.list(m.quarantined, "quarantined")).map((value) => {
      const q = f.record(value, "quarantined[]");
      return {
        id: f.string(q.id, "quarantined[].id"),
        type: f.string(q.type, "quarantined[].type"),
        issues: readIssues(q.issues, "GET /messages/:id"),
        quarantinedAt: f.optionalString(q.quarantinedAt),
      };
    }),
  };
}
