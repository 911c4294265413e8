/**
 * valibot schemas of the HTTP API's responses and of the callback request body. The routes build these
 * bodies from plain TypeScript types; these schemas describe them for the OpenAPI document, and the tests
 * prove both that the types are the same (at compile time) and that real responses parse.
 */
import * as v from "valibot";
import { ERROR_CODE_CLASSES } from "../../src/bandwidth/error-codes.ts";
import { MAX_EVENTS_PER_REQUEST } from "../../src/bandwidth/parse.ts";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { DestinationFilterSchema } from "../../src/forward/destination-schema.ts";
import { SUMMARY_STATUSES } from "../../src/http/message-search.ts";
import { STATS_GROUPINGS } from "../../src/http/stats.ts";

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));
const Timestamp = v.pipe(v.string(), v.isoTimestamp());

/** What `POST /callbacks/messaging` accepts: a JSON array of events, or (as Bandwidth's OpenAPI shows) one bare event. */
export const CallbackBodySchema = v.union([
  v.pipe(v.array(BandwidthEventSchema), v.minLength(1), v.maxLength(MAX_EVENTS_PER_REQUEST)),
  BandwidthEventSchema,
]);

/** `200` of `POST /callbacks/messaging`: every event is durably stored (or held in quarantine). */
export const CallbackAcceptedSchema = v.object({
  accepted: v.pipe(Count, v.description("events stored for the first time")),
  duplicates: v.pipe(Count, v.description("events already stored or held before (Bandwidth's retries)")),
  quarantined: v.optional(
    v.pipe(
      Count,
      v.description("events held in quarantine (present only when some were): invalid or too large"),
    ),
  ),
  issues: v.optional(
    v.pipe(
      v.array(v.lazy(() => CallbackIssueSchema)),
      v.description("why each quarantined event was held; present only with quarantined"),
    ),
  ),
});

/** Every failure body: a message that never echoes a submitted value. */
export const ErrorBodySchema = v.object({ error: v.string() });

/** One problem with one event of a rejected callback; never contains a submitted value. */
export const CallbackIssueSchema = v.object({
  index: v.pipe(Count, v.description("position of the event in the submitted array (0 for a bare object)")),
  path: v.pipe(v.string(), v.description("dot path of the field, e.g. message.segmentCount")),
  message: v.string(),
});

/** `400` of `POST /callbacks/messaging`: nothing of the request was stored. */
export const CallbackRejectionSchema = v.object({
  error: v.string(),
  issues: v.array(CallbackIssueSchema),
});

/** One recipient's status in the message view. */
export const RecipientViewSchema = v.object({
  recipient: v.string(),
  status: v.pipe(v.string(), v.description("sending, sent, delivered, failed, read, received, …")),
  errorCode: v.optional(v.pipe(v.number(), v.integer())),
  description: v.optional(v.string()),
  time: v.optional(v.string()),
  conflict: v.optional(
    v.pipe(
      v.literal(true),
      v.description("Bandwidth reported both delivered and failed; status says which won"),
    ),
  ),
});

/** Where one event stands with one destination. */
export const ForwardingViewSchema = v.object({
  state: v.pipe(
    v.picklist(["pending", "delivered", "dead", "moved"]),
    v.description("moved: the destination was removed and the dead event was redelivered to another one"),
  ),
  attempts: Count,
  lastError: v.optional(v.string()),
  nextAttemptAt: v.optional(Timestamp),
  forwardedAt: v.optional(Timestamp),
});

/** One event of a message's history. */
export const EventViewSchema = v.object({
  id: v.pipe(v.string(), v.description("the normalized event's id (and webhook-id)")),
  sequence: v.pipe(v.number(), v.integer(), v.minValue(1)),
  type: v.pipe(v.string(), v.description("Bandwidth's type, e.g. message-delivered")),
  event: v.pipe(v.string(), v.description("the type without message-, e.g. delivered")),
  recipient: v.string(),
  time: v.string(),
  description: v.optional(v.string()),
  errorCode: v.optional(v.pipe(v.number(), v.integer())),
  duplicates: Count,
  acceptedAt: Timestamp,
  traceId: v.pipe(
    v.string(),
    v.regex(/^[0-9a-f]{32}$/),
    v.description(
      "the event's W3C trace id: in the CloudEvent's traceparent attribute and every attempt's traceparent header",
    ),
  ),
  forwarding: v.pipe(
    v.record(v.string(), ForwardingViewSchema),
    v.description("per destination the event was routed to when it was accepted"),
  ),
  unrouted: v.optional(
    v.pipe(
      v.literal(true),
      v.description("no destination's filter took the event (forwarding is empty); POST /replay can send it"),
    ),
  ),
});

/** One problem that keeps an event in quarantine; never quotes a submitted value. */
export const EventIssueSchema = v.object({
  path: v.pipe(
    v.string(),
    v.description("dot path of the field, e.g. message.segmentCount; empty for the whole event"),
  ),
  message: v.string(),
});

/** One event of a message held in quarantine. */
export const QuarantinedViewSchema = v.object({
  id: v.string(),
  type: v.string(),
  issues: v.array(EventIssueSchema),
  quarantinedAt: Timestamp,
  duplicates: Count,
});

/** What reconciliation did for a message. */
export const ReconciliationViewSchema = v.object({
  lookups: v.pipe(Count, v.description("List Messages lookups answered")),
  lastOutcome: v.optional(v.string()),
  givenUp: v.optional(
    v.object({
      at: Timestamp,
      recipients: v.pipe(v.array(v.string()), v.description("still without a terminal status")),
    }),
  ),
});

/** `200` of `GET /messages/{id}`. */
export const MessageViewSchema = v.object({
  id: v.string(),
  direction: v.picklist(["inbound", "outbound"]),
  from: v.string(),
  to: v.array(v.string()),
  owner: v.string(),
  applicationId: v.optional(v.string()),
  segmentCount: v.optional(Count),
  status: v.pipe(v.string(), v.description("the recipients' common status, or mixed when they differ")),
  recipients: v.array(RecipientViewSchema),
  events: v.pipe(v.array(EventViewSchema), v.description("the history in time order")),
  quarantined: v.optional(
    v.pipe(
      v.array(QuarantinedViewSchema),
      v.description("events of this message held in quarantine (present only when there are some)"),
    ),
  ),
  reconciliation: v.optional(
    v.pipe(ReconciliationViewSchema, v.description("present once reconciliation looked this message up")),
  ),
});

/** One dead event, as listed by `GET /dead-letters`. */
export const DeadLetterSchema = v.object({
  eventId: v.string(),
  destination: v.string(),
  messageId: v.string(),
  sequence: v.pipe(v.number(), v.integer(), v.minValue(1)),
  type: v.string(),
  attempts: Count,
  lastError: v.string(),
  deadAt: Timestamp,
});

/** `200` of `GET /dead-letters`: one page, oldest first. */
export const DeadLetterPageSchema = v.object({
  items: v.array(DeadLetterSchema),
  total: v.pipe(Count, v.description("dead events across all messages")),
  nextCursor: v.optional(
    v.pipe(v.string(), v.description("pass as `cursor` for the next page; absent on the last")),
  ),
});

/** One held event, as listed by `GET /quarantine`: never its text or numbers beyond the message id. */
export const QuarantineEntrySchema = v.object({
  eventId: v.string(),
  messageId: v.string(),
  type: v.pipe(v.string(), v.description("Bandwidth's type as sent, cut to 100 characters")),
  issues: v.array(EventIssueSchema),
  quarantinedAt: Timestamp,
});

/** `200` of `GET /quarantine`: one page, oldest first, across messages. */
export const QuarantinePageSchema = v.object({
  items: v.array(QuarantineEntrySchema),
  total: v.pipe(Count, v.description("held events across all messages")),
  nextCursor: v.optional(
    v.pipe(v.string(), v.description("pass as `cursor` for the next page; absent on the last")),
  ),
});

/** `200` of `POST /quarantine/release`. */
export const ReleasedSchema = v.object({
  released: v.pipe(Count, v.description("held events that today's schemas accept, now stored and forwarded")),
  remaining: v.pipe(Count, v.description("held events still invalid (for one message, or across messages)")),
  messages: v.pipe(Count, v.description("messages whose held events were re-validated")),
  nextCursor: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "more messages may hold events: pass as `cursor` to release the next ones; absent after the last",
      ),
    ),
  ),
});

/** `200` of `POST /replay` with dryRun. */
export const ReplayCountedSchema = v.object({
  messages: v.pipe(Count, v.description("messages the filter matches")),
  events: v.pipe(Count, v.description("events they hold: what the replay would send")),
  dryRun: v.literal(true),
});

/** `202` of `POST /replay`. */
export const ReplayStartedSchema = v.object({
  messages: v.pipe(Count, v.description("messages the filter matches")),
  events: v.pipe(Count, v.description("events they hold, to be sent again")),
  replayId: v.pipe(v.string(), v.uuid(), v.description("GET /replay/{id} shows its progress")),
});

/** `200` of `GET /replay/{id}`. */
export const ReplayProgressSchema = v.object({
  destination: v.string(),
  messages: v.pipe(Count, v.description("messages asked so far")),
  events: v.pipe(Count, v.description("events scheduled so far")),
  done: v.boolean(),
  failures: v.pipe(Count, v.description("consecutive failed batches (retried with backoff)")),
});

/** `202` of `POST /messages/{id}/redeliver`. */
export const RedeliveredSchema = v.object({ redelivered: Count });

/** `202` of `POST /dead-letters/redeliver`. */
export const BulkRedeliveredSchema = v.object({
  redelivered: Count,
  messages: v.pipe(Count, v.description("messages whose dead events were scheduled again")),
  nextCursor: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "more messages may have dead events: pass as `cursor` to redeliver the next ones; absent after the last",
      ),
    ),
  ),
});

/** One problem with one setting, named but never with its value. */
export const ConfigProblemSchema = v.object({ setting: v.string(), problem: v.string() });

/** `200` of `GET /healthz`. */
export const HealthSchema = v.object({
  status: v.literal("ok"),
  version: v.string(),
  configured: v.boolean(),
  problems: v.array(ConfigProblemSchema),
});

/** A destination's health in `GET /destinations`: `paused` wins over `failing`, which wins over `healthy`. */
export const DestinationHealthViewSchema = v.object({
  state: v.picklist(["healthy", "failing", "paused"]),
  since: v.optional(
    v.pipe(
      Timestamp,
      v.description("failing: the run's first failure; paused: the pause; healthy: the last recovery"),
    ),
  ),
  consecutiveFailures: v.optional(
    v.pipe(Count, v.description("failed attempts since the last success (present when there are some)")),
  ),
  lastError: v.optional(v.pipe(v.string(), v.description("the last failure, never a URL or a secret"))),
});

const DestinationViewEntries = {
  name: v.string(),
  // Absent: every event, and no operator events.
  filter: v.optional(DestinationFilterSchema),
  timeoutMs: Count,
  maxAgeHours: Count,
  maxPerSecond: v.optional(
    v.pipe(Count, v.description("the most attempts per second to this destination (absent: no limit)")),
  ),
  rateLimit: v.optional(
    v.pipe(
      v.object({
        waiting: v.pipe(Count, v.description("events waiting for a later delivery slot now")),
        granted: v.pipe(Count, v.description("delivery permits handed out since the limiter started")),
        denied: v.pipe(Count, v.description("requests told to ask again later since the limiter started")),
        since: Timestamp,
      }),
      v.description("the limiter of a destination with maxPerSecond (absent when it could not be asked)"),
    ),
  ),
  health: DestinationHealthViewSchema,
};

/** One destination in `GET /destinations`: never its URL's path or query, never a secret. */
export const DestinationViewSchema = v.variant("kind", [
  v.object({
    ...DestinationViewEntries,
    kind: v.literal("http"),
    host: v.pipe(v.string(), v.description("the URL's host (and port), nothing else of it")),
  }),
  v.object({
    ...DestinationViewEntries,
    kind: v.literal("queue"),
    queue: v.pipe(v.string(), v.description("the Queues producer binding")),
  }),
]);

/** `200` of `GET /destinations`. */
export const DestinationListSchema = v.object({
  destinations: v.pipe(v.array(DestinationViewSchema), v.description("in configuration order")),
});

/** `202` of `POST /destinations/{name}/pause` and `/resume`. */
export const PauseChangedSchema = v.object({
  destination: v.string(),
  health: DestinationHealthViewSchema,
});

/** One message as `GET /messages` lists it. */
export const MessageSummarySchema = v.object({
  id: v.string(),
  direction: v.picklist(["inbound", "outbound"]),
  from: v.string(),
  to: v.pipe(v.array(v.string()), v.description("message.to: every recipient")),
  applicationId: v.optional(v.string()),
  tag: v.optional(v.string()),
  status: v.pipe(
    v.string(),
    v.description(`the recipients' common status, or mixed when they differ: ${SUMMARY_STATUSES.join(", ")}`),
  ),
  errorCodes: v.pipe(
    v.array(v.pipe(v.number(), v.integer())),
    v.description("the error codes of the recipients whose status is failed"),
  ),
  segmentCount: v.optional(Count),
  time: v.pipe(Timestamp, v.description("message.time, to the millisecond")),
  updatedAt: v.pipe(Timestamp, v.description("when the message last changed")),
  pending: v.pipe(Count, v.description("events still to forward")),
  dead: v.pipe(Count, v.description("events that could not be forwarded")),
  quarantined: v.pipe(Count, v.description("events held in quarantine")),
  unrouted: v.pipe(
    Count,
    v.description("events no destination's filter took (never forwarded until a replay)"),
  ),
  reconciliation: v.optional(
    v.pipe(v.literal("given-up"), v.description("reconciliation gave up on some recipients of the message")),
  ),
});

/** `200` of `GET /messages`: one page, newest first. */
export const MessageSearchPageSchema = v.object({
  messages: v.array(MessageSummarySchema),
  nextCursor: v.pipe(
    v.nullable(v.string()),
    v.description("pass as `cursor`, with the same filters, for the next page; null on the last"),
  ),
});

/** Failed recipients with one error code. */
export const FailureCountSchema = v.object({
  errorCode: v.pipe(v.nullable(v.pipe(v.number(), v.integer())), v.description("null: Bandwidth gave none")),
  count: Count,
  class: v.pipe(
    v.picklist(ERROR_CODE_CLASSES),
    v.description("client (4xxx), carrier-rejected (47xx), service (5xxx), no-receipt (9902), unknown"),
  ),
  meaning: v.string(),
});

/** The figures of outbound recipients. */
export const OutboundStatsSchema = v.object({
  recipients: v.pipe(Count, v.description("recipients of outbound messages")),
  counts: v.pipe(
    v.record(v.string(), Count),
    v.description("recipients by status; sending, sent, delivered, failed, read and unknown always present"),
  ),
  noReceipt: v.pipe(
    Count,
    v.description("failed recipients with code 9902 (no delivery receipt), in counts.failed"),
  ),
  deliveryRate: v.pipe(
    v.nullable(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    v.description("(delivered + read) / (delivered + read + failed − noReceipt); null when nothing ended"),
  ),
  failures: v.pipe(v.array(FailureCountSchema), v.description("failed recipients by error code, most first")),
  timeToDelivery: v.pipe(
    v.object({
      count: Count,
      p50Ms: v.nullable(v.number()),
      p95Ms: v.nullable(v.number()),
    }),
    v.description("delivered event's time minus the message's time, nearest-rank percentiles"),
  ),
});

/** Inbound messages. */
export const InboundStatsSchema = v.object({ messages: Count });

/** The figures of one group of `GET /stats`. */
export const StatsGroupSchema = v.object({
  key: v.pipe(
    v.nullable(v.union([v.string(), v.number()])),
    v.description("the hour or day (RFC 3339), the error code, the carrier or the application id"),
  ),
  outbound: OutboundStatsSchema,
  inbound: v.optional(
    v.pipe(InboundStatsSchema, v.description("absent when grouping by errorCode or carrier")),
  ),
});

/** `200` of `GET /stats`. */
export const DeliveryStatsSchema = v.object({
  since: Timestamp,
  until: Timestamp,
  applicationId: v.optional(v.string()),
  by: v.optional(v.picklist(STATS_GROUPINGS)),
  outbound: OutboundStatsSchema,
  inbound: InboundStatsSchema,
  unroutedEvents: v.pipe(
    Count,
    v.description("events of these messages no destination's filter took (never forwarded until a replay)"),
  ),
  groups: v.optional(
    v.pipe(v.array(StatsGroupSchema), v.description("present with by; every hour or day of the range")),
  ),
});
