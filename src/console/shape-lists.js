// @ts-check
/**
 * The lists and actions of the operator API as the console reads them: dead letters, quarantine, destinations
 * (new), the answers of redelivery and release, and /healthz.
 */
import { fields, isRecord, readIssues } from "./shape-fields.js";

/** GET /dead-letters. @param {unknown} body */
export function readDeadLetters(body) {
  const f = fields("GET /dead-letters");
  const page = f.record(body, "body");
  return {
    total: f.optionalNumber(page.total),
    nextCursor: f.optionalString(page.nextCursor),
    items: f.list(page.items, "items").map((value) => {
      const d = f.record(value, "items[]");
      return {
        eventId: f.string(d.eventId, "items[].eventId"),
        messageId: f.string(d.messageId, "items[].messageId"),
        destination: f.optionalString(d.destination),
        sequence: f.number(d.sequence, "items[].sequence"),
        type: f.string(d.type, "items[].type"),
        attempts: f.number(d.attempts, "items[].attempts"),
        lastError: f.optionalString(d.lastError) ?? "",
        deadAt: f.string(d.deadAt, "items[].deadAt"),
      };
    }),
  };
}

/** GET /quarantine. @param {unknown} body */
export function readQuarantine(body) {
  const f = fields("GET /quarantine");
  const page = f.record(body, "body");
  return {
    total: f.optionalNumber(page.total),
    nextCursor: f.optionalString(page.nextCursor),
    items: f.list(page.items, "items").map((value) => {
      const q = f.record(value, "items[]");
      return {
        eventId: f.string(q.eventId, "items[].eventId"),
        messageId: f.string(q.messageId, "items[].messageId"),
        type: f.string(q.type, "items[].type"),
        issues: readIssues(q.issues, "GET /quarantine"),
        quarantinedAt: f.string(q.quarantinedAt, "items[].quarantinedAt"),
      };
    }),
  };
}

/** A destination's health (GET /destinations, and the answer of pause and resume). @param {unknown} value */
function readHealth(value) {
  const f = fields("GET /destinations");
  const h = f.record(value, "health");
  return {
    state: f.string(h.state, "health.state"),
    since: f.optionalString(h.since),
    consecutiveFailures: f.optionalNumber(h.consecutiveFailures),
    lastError: f.optionalString(h.lastError),
  };
}

/** GET /destinations. @param {unknown} body */
export function readDestinations(body) {
  const f = fields("GET /destinations");
  const page = f.record(body, "body");
  return f.list(page.destinations, "destinations").map((value) => {
    const d = f.record(value, "destinations[]");
    return {
      name: f.string(d.name, "destinations[].name"),
      kind: f.string(d.kind, "destinations[].kind"),
      target: f.optionalString(d.host) ?? f.optionalString(d.queue) ?? "",
      filter: isRecord(d.filter) ? JSON.stringify(d.filter) : "everything",
      maxPerSecond: f.optionalNumber(d.maxPerSecond),
      waiting: isRecord(d.rateLimit) ? f.optionalNumber(d.rateLimit.waiting) : undefined,
      health: readHealth(d.health),
    };
  });
}

/** The 202 of a redelivery (one message, or dead letters in bulk). @param {unknown} body */
export function readRedelivered(body) {
  const f = fields("redeliver");
  const r = f.record(body, "body");
  return {
    redelivered: f.number(r.redelivered, "redelivered"),
    messages: f.optionalNumber(r.messages),
    nextCursor: f.optionalString(r.nextCursor),
  };
}

/** The answer of POST /quarantine/release. @param {unknown} body */
export function readReleased(body) {
  const f = fields("POST /quarantine/release");
  const r = f.record(body, "body");
  return {
    released: f.number(r.released, "released"),
    remaining: f.number(r.remaining, "remaining"),
    nextCursor: f.optionalString(r.nextCursor),
  };
}

/** GET /healthz. @param {unknown} body */
export function readHealthz(body) {
  const f = fields("GET /healthz");
  const h = f.record(body, "body");
  return {
    version: f.optionalString(h.version) ?? "?",
    configured: h.configured === true,
    problems: Array.isArray(h.problems)
      ? h.problems.map((problem) =>
          isRecord(problem)
            ? `${String(problem.setting ?? "")} ${String(problem.problem ?? "")}`.trim()
            : String(problem),
        )
      : [],
  };
}
