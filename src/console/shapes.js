// @ts-check
/**
 * The operator API's answers as the console reads them: one reader per endpoint, which checks the fields the
 * console shows and returns plain objects. GET /messages, /stats and /destinations are new, and `forwarding`
 * is becoming per destination: when an answer's shape changes, only its reader here changes.
 */

/** An answer whose shape the console does not know. */
export class ShapeError extends Error {
  /** @param {string} endpoint @param {string} field */
  constructor(endpoint, field) {
    super(`${endpoint} answered with an unexpected shape (${field})`);
    this.name = "ShapeError";
  }
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
export function isRecord(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A field reader for one endpoint's answer: each getter throws a ShapeError naming the field.
 * @param {string} endpoint
 */
function fields(endpoint) {
  /** @param {unknown} value @param {string} name @returns {Record<string, unknown>} */
  const record = (value, name) => {
    if (!isRecord(value)) throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {unknown[]} */
  const list = (value, name) => {
    if (!Array.isArray(value)) throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {string} */
  const string = (value, name) => {
    if (typeof value !== "string") throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @param {string} name @returns {number} */
  const number = (value, name) => {
    if (typeof value !== "number") throw new ShapeError(endpoint, name);
    return value;
  };
  /** @param {unknown} value @returns {string | undefined} */
  const optionalString = (value) => (typeof value === "string" ? value : undefined);
  /** @param {unknown} value @returns {number | undefined} */
  const optionalNumber = (value) => (typeof value === "number" ? value : undefined);
  return { record, list, string, number, optionalString, optionalNumber };
}

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

/** @param {unknown} value @param {string} endpoint */
function readIssues(value, endpoint) {
  const f = fields(endpoint);
  return f.list(value, "issues").map((issue) => {
    const i = f.record(issue, "issues[]");
    return { path: f.string(i.path, "issues[].path"), message: f.string(i.message, "issues[].message") };
  });
}

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
      health: readHealth(d.health),
    };
  });
}

/** The 202 of a redelivery (one message, or dead letters in bulk). @param {unknown} body */
export function readRedelivered(body) {
  const f = fields("redeliver");
  const r = f.record(body, "body");
  return { redelivered: f.number(r.redelivered, "redelivered"), messages: f.optionalNumber(r.messages) };
}

/** The answer of POST /quarantine/release. @param {unknown} body */
export function readReleased(body) {
  const f = fields("POST /quarantine/release");
  const r = f.record(body, "body");
  return { released: f.number(r.released, "released"), remaining: f.number(r.remaining, "remaining") };
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
