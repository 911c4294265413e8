/**
 * The OpenAPI document's `paths`: every route the Worker mounts, with the status codes of DESIGN.md's contract.
 * A test compares these operations with the routes of the Hono app, so neither can change without the other.
 */
import { MAX_EVENTS_PER_REQUEST } from "../../src/bandwidth/parse.ts";
import { CALLBACK_CHALLENGE } from "../../src/http/auth.ts";
import { MAX_BODY_BYTES } from "../../src/http/callbacks.ts";
import { MessageSearchQuerySchema } from "../../src/http/message-search.ts";
import { StatsQuerySchema } from "../../src/http/stats.ts";
import { MAX_MEDIA_FILES } from "../../src/media/keys.ts";
import { jsonContent, jsonResponse, responseRef, schemaRef } from "./components.ts";
import { queryParameters } from "./query-parameters.ts";

const OPERATOR = [{ operatorBearer: [] }];
const NONE: never[] = [];

const callback = {
  post: {
    operationId: "receiveMessagingCallback",
    tags: ["callbacks"],
    summary: "Bandwidth's callback URL for inbound and status events",
    description:
      "200 only once every event is durable. An event with a usable envelope (`type`, `message.id`) that is " +
      "otherwise invalid, or too large, is held in quarantine and named in `issues` (INVALID_EVENTS=reject " +
      "answers 400 instead); a request with an event without a usable envelope stores nothing. Unknown event " +
      "types with a valid envelope are accepted.",
    security: [{ callbackBasic: [] }],
    requestBody: {
      required: true,
      description: `An array of 1 to ${MAX_EVENTS_PER_REQUEST} events, or one bare event; at most ${MAX_BODY_BYTES} bytes.`,
      content: {
        "application/json": { schema: schemaRef("CallbackBody") },
      },
    },
    responses: {
      "200": jsonResponse("Every event is durably stored or held in quarantine.", "CallbackAccepted"),
      "400": jsonResponse(
        "Bad JSON, an event without a usable envelope, or (INVALID_EVENTS=reject) an invalid event; nothing was stored.",
        "CallbackRejection",
      ),
      "401": {
        ...jsonResponse("Credentials missing or wrong.", "Error"),
        headers: {
          "WWW-Authenticate": {
            description: "The Basic challenge; Bandwidth then resends with its credentials.",
            required: true,
            schema: { type: "string", examples: [CALLBACK_CHALLENGE] },
          },
        },
      },
      "413": jsonResponse("The body is too large.", "Error"),
      "415": jsonResponse("The content type is not application/json.", "Error"),
      "503": jsonResponse("Storage failed or configuration is incomplete; a retry is safe.", "Error"),
    },
  },
};

const INDEX_UNAVAILABLE = jsonResponse(
  "Configuration incomplete (see GET /healthz), or the message index is unavailable; retry later.",
  "Error",
);

const messageSearch = {
  get: {
    operationId: "searchMessages",
    tags: ["operator"],
    summary: "Message summaries from the index, newest first, filtered, in pages",
    description:
      "Every filter given must match; `to` matches any recipient, `errorCode` any failed recipient's code, " +
      "`since` (inclusive) and `until` (exclusive) the message's time. The index follows each message within " +
      "seconds; GET /messages/{id} is the truth. `cursor` is signed with a key derived from ADMIN_TOKEN and " +
      "bound to the filters: rotating the token away invalidates it.",
    security: OPERATOR,
    parameters: queryParameters(MessageSearchQuerySchema),
    responses: {
      "200": jsonResponse("One page.", "MessageSearchPage"),
      "400": jsonResponse(
        "A parameter is unknown, repeated or not valid, or the cursor is not valid; the error names it.",
        "Error",
      ),
      "401": responseRef("OperatorUnauthorized"),
      "503": INDEX_UNAVAILABLE,
    },
  },
};

const stats = {
  get: {
    operationId: "getDeliveryStats",
    tags: ["operator"],
    summary: "Delivery statistics per recipient of outbound messages, and inbound counts",
    description:
      "Over the messages whose time is in [since, until) (default: the last 24 hours), of one application or " +
      "all, optionally grouped. 9902 (no delivery receipt) counts as failed but is left out of the delivery rate.",
    security: OPERATOR,
    parameters: queryParameters(StatsQuerySchema),
    responses: {
      "200": jsonResponse("The figures.", "DeliveryStats"),
      "400": jsonResponse(
        "A parameter is unknown, repeated or not valid, or the range is too long.",
        "Error",
      ),
      "401": responseRef("OperatorUnauthorized"),
      "503": INDEX_UNAVAILABLE,
    },
  },
};

const replayStart = {
  post: {
    operationId: "replayMessages",
    tags: ["operator"],
    summary: "Forward again every event of the messages a search filter matches, to one destination",
    description:
      "Same ids, in sequence order per message; worked through in bounded batches by a job whose progress " +
      "GET /replay/{id} shows. With dryRun, only counts.",
    security: OPERATOR,
    requestBody: { required: true, content: jsonContent("ReplayRequest") },
    responses: {
      "200": jsonResponse("dryRun: what a replay would send.", "ReplayCounted"),
      "202": jsonResponse("The replay started.", "ReplayStarted"),
      "400": responseRef("InvalidOperatorRequest"),
      "401": responseRef("OperatorUnauthorized"),
      "404": jsonResponse("The destination named is not configured.", "Error"),
      "413": responseRef("OperatorBodyTooLarge"),
      "503": INDEX_UNAVAILABLE,
    },
  },
};

const replayProgress = {
  get: {
    operationId: "getReplay",
    tags: ["operator"],
    summary: "A replay's progress",
    security: OPERATOR,
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
    responses: {
      "200": jsonResponse("Its progress.", "ReplayProgress"),
      "401": responseRef("OperatorUnauthorized"),
      "404": jsonResponse("No such replay.", "Error"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const message = {
  get: {
    operationId: "getMessage",
    tags: ["operator"],
    summary: "A message's state, recipients and event history with forwarding state",
    security: OPERATOR,
    responses: {
      "200": jsonResponse("The message.", "MessageView"),
      "401": responseRef("OperatorUnauthorized"),
      "404": responseRef("MessageNotFound"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const messageId = { name: "id", in: "path", required: true, schema: schemaRef("MessageId") };

const redeliverMessage = {
  post: {
    operationId: "redeliverMessage",
    tags: ["operator"],
    summary: "Forward a message's dead events (all: every event) again, same ids and sequences",
    security: OPERATOR,
    requestBody: { required: false, content: jsonContent("RedeliverRequest") },
    responses: {
      "202": jsonResponse("Scheduled for forwarding.", "Redelivered"),
      "400": responseRef("InvalidOperatorRequest"),
      "401": responseRef("OperatorUnauthorized"),
      "404": responseRef("MessageNotFound"),
      "413": responseRef("OperatorBodyTooLarge"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const deadLetters = {
  get: {
    operationId: "listDeadLetters",
    tags: ["operator"],
    summary: "Events that could not be forwarded, oldest first",
    security: OPERATOR,
    parameters: [
      { name: "limit", in: "query", required: false, schema: schemaRef("DeadLetterLimit") },
      { name: "cursor", in: "query", required: false, schema: schemaRef("DeadLetterCursor") },
      { name: "destination", in: "query", required: false, schema: schemaRef("DeadLetterDestination") },
    ],
    responses: {
      "200": jsonResponse("One page.", "DeadLetterPage"),
      "400": jsonResponse("limit or cursor is not valid.", "Error"),
      "401": responseRef("OperatorUnauthorized"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const redeliverDeadLetters = {
  post: {
    operationId: "redeliverDeadLetters",
    tags: ["operator"],
    summary: "Redeliver the dead events of up to `limit` messages, after those of `cursor`",
    description:
      "Takes messages in id order. While the answer has a `nextCursor`, more messages may have dead events: " +
      "pass it as `cursor` to go on after this call's messages (those whose redelivery scheduled nothing included).",
    security: OPERATOR,
    requestBody: { required: false, content: jsonContent("BulkRedeliverRequest") },
    responses: {
      "202": jsonResponse("Scheduled for forwarding.", "BulkRedelivered"),
      "400": responseRef("InvalidBulkRequest"),
      "404": jsonResponse("The destination named is not configured.", "Error"),
      "401": responseRef("OperatorUnauthorized"),
      "413": responseRef("OperatorBodyTooLarge"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const quarantine = {
  get: {
    operationId: "listQuarantine",
    tags: ["operator"],
    summary: "Events held in quarantine across messages, oldest first",
    security: OPERATOR,
    parameters: [
      { name: "limit", in: "query", required: false, schema: schemaRef("DeadLetterLimit") },
      { name: "cursor", in: "query", required: false, schema: schemaRef("DeadLetterCursor") },
    ],
    responses: {
      "200": jsonResponse("One page.", "QuarantinePage"),
      "400": jsonResponse("limit or cursor is not valid, or destination was given.", "Error"),
      "401": responseRef("OperatorUnauthorized"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const releaseQuarantine = {
  post: {
    operationId: "releaseQuarantine",
    tags: ["operator"],
    summary: "Re-validate held events with today's schemas; the valid ones are accepted as if just arrived",
    description:
      "One message (`messageId`, alone), or up to `limit` messages in id order. While the answer has a `nextCursor`, " +
      "more messages may hold events: pass it as `cursor` to go on after this call's messages (those still " +
      "invalid included).",
    security: OPERATOR,
    requestBody: { required: false, content: jsonContent("ReleaseRequest") },
    responses: {
      "200": jsonResponse("What was released and what remains.", "Released"),
      "400": responseRef("InvalidBulkRequest"),
      "401": responseRef("OperatorUnauthorized"),
      "404": jsonResponse("The message holds no quarantined events.", "Error"),
      "413": responseRef("OperatorBodyTooLarge"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const mediaCopy = {
  get: {
    operationId: "getMediaCopy",
    tags: ["media"],
    summary: "A copy of an inbound MMS file, for the holder of a signed link (data.mediaFiles[].mirrorUrl)",
    description:
      "No bearer: the signature is the credential. 403 for a tampered, malformed or expired link (decided before " +
      "storage is read), 404 once retention has deleted the copy or when media links are off.",
    security: NONE,
    parameters: [
      { name: "messageId", in: "path", required: true, schema: schemaRef("MessageId") },
      {
        name: "n",
        in: "path",
        required: true,
        description: "The file's position in message.media, from 0.",
        schema: { type: "integer", minimum: 0, maximum: MAX_MEDIA_FILES - 1 },
      },
      {
        name: "name",
        in: "path",
        required: true,
        description: "The file's name: the last segment of Bandwidth's URL, reduced to safe characters.",
        schema: { type: "string", pattern: "^[A-Za-z0-9-][A-Za-z0-9._-]{0,99}$" },
      },
      {
        name: "exp",
        in: "query",
        required: true,
        description: "When the link expires (unix seconds); MEDIA_URL_TTL_HOURS after it was made.",
        schema: { type: "string", pattern: "^[0-9]{1,12}$" },
      },
      {
        name: "sig",
        in: "query",
        required: true,
        description: "base64url HMAC-SHA256 of the link with MEDIA_LINK_SECRET.",
        schema: { type: "string", pattern: "^[A-Za-z0-9_-]{43}$" },
      },
    ],
    responses: {
      "200": {
        description: "The file's bytes, as a download that browsers neither render nor sniff.",
        headers: {
          "Content-Disposition": { schema: { type: "string", examples: ['attachment; filename="bw.png"'] } },
          "X-Content-Type-Options": { schema: { type: "string", const: "nosniff" } },
          "Content-Security-Policy": { schema: { type: "string", const: "sandbox; default-src 'none'" } },
          "Cache-Control": { schema: { type: "string", const: "private" } },
        },
        content: { "*/*": { schema: { type: "string", contentMediaType: "application/octet-stream" } } },
      },
      "403": jsonResponse("The link is tampered, malformed or expired.", "Error"),
      "404": jsonResponse("The copy is gone (retention), or media links are off.", "Error"),
      "503": jsonResponse(
        "A media setting is wrong; /healthz names it once config.ts reports media settings.",
        "Error",
      ),
    },
  },
};

const destinationList = {
  get: {
    operationId: "listDestinations",
    tags: ["operator"],
    summary:
      "Each destination: kind, filter, the URL's host (never its path or a secret) or queue, and health",
    security: OPERATOR,
    responses: {
      "200": jsonResponse("The destinations, in configuration order.", "DestinationList"),
      "401": responseRef("OperatorUnauthorized"),
      "503": responseRef("NotConfigured"),
    },
  },
};

const destinationName = { name: "name", in: "path", required: true, schema: schemaRef("DestinationName") };

function pauseOperation(operationId: string, summary: string) {
  return {
    post: {
      operationId,
      tags: ["operator"],
      summary,
      description:
        "Trackers see the change within 5 s (they cache the pause flag per isolate); an attempt already under " +
        "way finishes. A paused destination's events wait, and age, in their outboxes; resume sends them in order.",
      security: OPERATOR,
      responses: {
        "202": jsonResponse("The destination's health after the change.", "PauseChanged"),
        "401": responseRef("OperatorUnauthorized"),
        "404": responseRef("DestinationNotFound"),
        "503": responseRef("NotConfigured"),
      },
    },
  };
}

const health = {
  get: {
    operationId: "getHealth",
    tags: ["meta"],
    summary: "Liveness, version and configuration problems (names, never values)",
    security: NONE,
    responses: { "200": jsonResponse("The receiver is up.", "Health") },
  },
};

const openApi = {
  get: {
    operationId: "getOpenApiDocument",
    tags: ["meta"],
    summary: "This document",
    security: NONE,
    responses: {
      "200": {
        description: "The OpenAPI 3.1 document.",
        content: { "application/json": { schema: { type: "object" } } },
      },
    },
  },
};

const consolePage = {
  get: {
    operationId: "getConsole",
    tags: ["meta"],
    summary: "The operator console (an HTML page; sign in with the admin token)",
    description:
      "Static files served with a strict Content-Security-Policy (`default-src 'self'`, no inline script or " +
      "style, `frame-ancestors 'none'`), `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`. " +
      "The page itself needs no credentials; it calls the operator API with the bearer token.",
    security: NONE,
    responses: {
      "200": { description: "The page.", content: { "text/html": { schema: { type: "string" } } } },
    },
  },
};

const consoleFile = {
  get: {
    operationId: "getConsoleFile",
    tags: ["meta"],
    summary: "One of the console's scripts or style sheets",
    security: NONE,
    parameters: [
      {
        name: "file",
        in: "path",
        required: true,
        description: "A file of the console's folder, e.g. `app.js` or `console.css`.",
        schema: { type: "string", pattern: "^[A-Za-z0-9_-]+\\.[a-z]+$" },
      },
    ],
    responses: {
      "200": { description: "The file, with the same security headers as the page." },
      "404": jsonResponse("No such file.", "Error"),
    },
  },
};

/** The `paths` object, keyed by OpenAPI path templates. */
export const PATHS = {
  "/callbacks/messaging": callback,
  "/messages": messageSearch,
  "/messages/{id}": { parameters: [messageId], ...message },
  "/messages/{id}/redeliver": { parameters: [messageId], ...redeliverMessage },
  "/dead-letters": deadLetters,
  "/dead-letters/redeliver": redeliverDeadLetters,
  "/quarantine": quarantine,
  "/quarantine/release": releaseQuarantine,
  "/destinations": destinationList,
  "/destinations/{name}/pause": {
    parameters: [destinationName],
    ...pauseOperation("pauseDestination", "Pause a destination: it receives nothing until resumed"),
  },
  "/destinations/{name}/resume": {
    parameters: [destinationName],
    ...pauseOperation("resumeDestination", "Resume a destination: its waiting events are sent, in order"),
  },
  "/stats": stats,
  "/replay": replayStart,
  "/replay/{id}": replayProgress,
  "/healthz": health,
  "/openapi.json": openApi,
  "/media/{messageId}/{n}/{name}": mediaCopy,
  "/console": consolePage,
  "/console/{file}": consoleFile,
};
