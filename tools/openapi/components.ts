/**
 * The OpenAPI document's `components`: JSON Schemas generated from the valibot schemas, the two security
 * schemes, and the failure responses that several operations share.
 */
import { type JsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { BandwidthEventSchema, BandwidthMessageSchema } from "../../src/bandwidth/schema.ts";
import { NormalizedDataSchema, NormalizedEventSchema } from "../../src/forward/cloud-event.ts";
import { OperatorEventSchema } from "../../src/forward/destination-health.ts";
import { DestinationEntrySchema, DestinationFilterSchema } from "../../src/forward/destination-schema.ts";
import { ADMIN_CHALLENGE } from "../../src/http/auth.ts";
import { BulkRedeliverRequestSchema, DeadLetterQuerySchema } from "../../src/http/dead-letters.ts";
import { RedeliverRequestSchema } from "../../src/http/messages.ts";
import { ReleaseRequestSchema } from "../../src/http/quarantine.ts";
import { ReplayRequestSchema } from "../../src/http/replay.ts";
import { CONVERSION_CONFIG } from "../json-schema/conversion.ts";
import {
  BulkRedeliveredSchema,
  CallbackAcceptedSchema,
  CallbackBodySchema,
  CallbackIssueSchema,
  CallbackRejectionSchema,
  ConfigProblemSchema,
  DeadLetterPageSchema,
  DeadLetterSchema,
  DeliveryStatsSchema,
  DestinationHealthViewSchema,
  DestinationListSchema,
  DestinationViewSchema,
  ErrorBodySchema,
  EventIssueSchema,
  EventViewSchema,
  FailureCountSchema,
  ForwardingViewSchema,
  HealthSchema,
  InboundStatsSchema,
  MessageSearchPageSchema,
  MessageSummarySchema,
  MessageViewSchema,
  OutboundStatsSchema,
  PauseChangedSchema,
  QuarantinedViewSchema,
  QuarantineEntrySchema,
  QuarantinePageSchema,
  RecipientViewSchema,
  RedeliveredSchema,
  ReleasedSchema,
  ReplayCountedSchema,
  ReplayProgressSchema,
  ReplayStartedSchema,
  StatsGroupSchema,
} from "./response-schemas.ts";

/** Every named schema of the document; a schema used inside another becomes a `$ref` to its name. */
export const COMPONENT_SCHEMAS = {
  CallbackBody: CallbackBodySchema,
  BandwidthEvent: BandwidthEventSchema,
  MessageId: BandwidthMessageSchema.entries.id,
  CallbackAccepted: CallbackAcceptedSchema,
  CallbackRejection: CallbackRejectionSchema,
  CallbackIssue: CallbackIssueSchema,
  Error: ErrorBodySchema,
  MessageSearchPage: MessageSearchPageSchema,
  MessageSummary: MessageSummarySchema,
  MessageView: MessageViewSchema,
  RecipientView: RecipientViewSchema,
  EventView: EventViewSchema,
  ForwardingView: ForwardingViewSchema,
  RedeliverRequest: RedeliverRequestSchema,
  Redelivered: RedeliveredSchema,
  DeadLetterLimit: DeadLetterQuerySchema.entries.limit,
  DeadLetterCursor: DeadLetterQuerySchema.entries.cursor,
  DeadLetterDestination: DeadLetterQuerySchema.entries.destination,
  DeadLetterPage: DeadLetterPageSchema,
  DeadLetter: DeadLetterSchema,
  BulkRedeliverRequest: BulkRedeliverRequestSchema,
  BulkRedelivered: BulkRedeliveredSchema,
  QuarantinePage: QuarantinePageSchema,
  QuarantineEntry: QuarantineEntrySchema,
  QuarantinedView: QuarantinedViewSchema,
  EventIssue: EventIssueSchema,
  ReleaseRequest: ReleaseRequestSchema,
  ReplayRequest: ReplayRequestSchema,
  ReplayCounted: ReplayCountedSchema,
  ReplayStarted: ReplayStartedSchema,
  ReplayProgress: ReplayProgressSchema,
  Released: ReleasedSchema,
  DestinationName: DestinationEntrySchema.entries.name,
  DestinationList: DestinationListSchema,
  DestinationView: DestinationViewSchema,
  DestinationHealthView: DestinationHealthViewSchema,
  DestinationFilter: DestinationFilterSchema,
  PauseChanged: PauseChangedSchema,
  DeliveryStats: DeliveryStatsSchema,
  OutboundStats: OutboundStatsSchema,
  InboundStats: InboundStatsSchema,
  StatsGroup: StatsGroupSchema,
  FailureCount: FailureCountSchema,
  Health: HealthSchema,
  ConfigProblem: ConfigProblemSchema,
  NormalizedEvent: NormalizedEventSchema,
  NormalizedData: NormalizedDataSchema,
  OperatorEvent: OperatorEventSchema,
} satisfies Record<string, v.GenericSchema>;

/** The name of a component schema. */
export type ComponentName = keyof typeof COMPONENT_SCHEMAS;

/** A `$ref` to a component schema. */
export function schemaRef(name: ComponentName): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

/** A JSON body (request or response) of a component schema. */
export function jsonContent(name: ComponentName) {
  return { "application/json": { schema: schemaRef(name) } };
}

/** A response with a JSON body of a component schema. */
export function jsonResponse(description: string, name: ComponentName) {
  return { description, content: jsonContent(name) };
}

/** The component schemas as JSON Schema (draft 2020-12, as OpenAPI 3.1 requires). */
export function componentSchemas(): Record<ComponentName, JsonSchema> {
  return toJsonSchemaDefs(COMPONENT_SCHEMAS, {
    ...CONVERSION_CONFIG,
    target: "draft-2020-12",
    overrideRef: ({ referenceId }) => schemaRef(referenceId as ComponentName).$ref,
  });
}

/** The security schemes: Bandwidth's Basic credentials for callbacks, the ADMIN_TOKEN for the operator API. */
export const SECURITY_SCHEMES = {
  callbackBasic: {
    type: "http",
    scheme: "basic",
    description: "CALLBACK_USERNAME and CALLBACK_PASSWORD (or the _PREVIOUS pair).",
  },
  operatorBearer: {
    type: "http",
    scheme: "bearer",
    description: "ADMIN_TOKEN.",
  },
} as const;

/** A failure response whose body is `{"error": "..."}`. */
function failure(description: string) {
  return jsonResponse(description, "Error");
}

/** The responses several operations share, referenced as `#/components/responses/<name>`. */
export const SHARED_RESPONSES = {
  OperatorUnauthorized: {
    ...failure("Missing or wrong bearer token."),
    headers: {
      "WWW-Authenticate": {
        required: true,
        schema: { type: "string", examples: [ADMIN_CHALLENGE] },
      },
    },
  },
  NotConfigured: failure("Configuration incomplete; see GET /healthz."),
  InvalidOperatorRequest: failure("The body is not JSON or does not match the schema."),
  InvalidBulkRequest: failure(
    "The body is not JSON or does not match the schema, or its cursor is not the nextCursor of a previous call.",
  ),
  OperatorBodyTooLarge: failure("The body is too large."),
  MessageNotFound: failure("Unknown message (or its state expired)."),
  DestinationNotFound: failure("No destination of that name is configured."),
} as const;

/** The name of a shared response. */
export type SharedResponseName = keyof typeof SHARED_RESPONSES;

/** A `$ref` to a shared response. */
export function responseRef(name: SharedResponseName): { $ref: string } {
  return { $ref: `#/components/responses/${name}` };
}
