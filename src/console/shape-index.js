// @ts-check
/**
 * The answers over the message index, GET /messages (search) and GET /stats, as the console reads them. Both
 * endpoints are new: when their shape changes, only this file changes.
 */
import { fields, isRecord } from "./shape-fields.js";

/** GET /messages (search). @param {unknown} body */
export function readSearch(body) {
  const f = fields("GET /messages");
  const page = f.record(body, "body");
  return {
    messages: f.list(page.messages, "messages").map((value) => {
      const m = f.record(value, "messages[]");
      return {
        id: f.string(m.id, "messages[].id"),
        direction: f.string(m.direction, "messages[].direction"),
        from: f.string(m.from, "messages[].from"),
        to: f.list(m.to, "messages[].to").map((to) => f.string(to, "messages[].to[]")),
        applicationId: f.optionalString(m.applicationId),
        tag: f.optionalString(m.tag),
        status: f.string(m.status, "messages[].status"),
        errorCodes: f
          .list(m.errorCodes ?? [], "messages[].errorCodes")
          .map((code) => f.number(code, "errorCodes[]")),
        time: f.string(m.time, "messages[].time"),
        pending: f.optionalNumber(m.pending) ?? 0,
        dead: f.optionalNumber(m.dead) ?? 0,
        quarantined: f.optionalNumber(m.quarantined) ?? 0,
      };
    }),
    nextCursor: f.optionalString(page.nextCursor),
  };
}

/** The outbound figures of GET /stats (the totals or one group). @param {unknown} value */
function readOutbound(value) {
  const f = fields("GET /stats");
  const o = f.record(value, "outbound");
  const rate = o.deliveryRate;
  const delays = isRecord(o.timeToDelivery) ? o.timeToDelivery : {};
  return {
    recipients: f.number(o.recipients, "outbound.recipients"),
    counts: Object.entries(f.record(o.counts, "outbound.counts")).map(([status, n]) => ({
      status,
      count: f.number(n, `outbound.counts.${status}`),
    })),
    deliveryRate: typeof rate === "number" ? rate : null,
    failures: f.list(o.failures ?? [], "outbound.failures").map((item) => {
      const failure = f.record(item, "outbound.failures[]");
      return {
        errorCode: f.optionalNumber(failure.errorCode) ?? null,
        count: f.number(failure.count, "failures[].count"),
        class: f.optionalString(failure.class) ?? "unknown",
        meaning: f.optionalString(failure.meaning) ?? "",
      };
    }),
    p50Ms: f.optionalNumber(delays.p50Ms) ?? null,
    p95Ms: f.optionalNumber(delays.p95Ms) ?? null,
  };
}

/** GET /stats?by=hour: the totals and, per hour, the outbound recipients and inbound messages. @param {unknown} body */
export function readStats(body) {
  const f = fields("GET /stats");
  const s = f.record(body, "body");
  const inbound = isRecord(s.inbound) ? (f.optionalNumber(s.inbound.messages) ?? 0) : 0;
  return {
    since: f.string(s.since, "since"),
    until: f.string(s.until, "until"),
    outbound: readOutbound(s.outbound),
    inbound,
    hours: f.list(s.groups ?? [], "groups").map((value) => {
      const g = f.record(value, "groups[]");
      const outbound = readOutbound(g.outbound);
      return {
        hour: String(g.key),
        outbound: outbound.counts,
        recipients: outbound.recipients,
        inbound: isRecord(g.inbound) ? (f.optionalNumber(g.inbound.messages) ?? 0) : 0,
      };
    }),
  };
}
