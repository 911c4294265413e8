/**
 * The OpenAPI document's `webhooks`: what this receiver POSTs to DOWNSTREAM_URL, one signed CloudEvent per
 * Bandwidth event, and how it treats the downstream's answer.
 */
import { schemaRef } from "./components.ts";

function header(name: string, description: string, example: string) {
  return { name, in: "header", required: true, description, schema: { type: "string", examples: [example] } };
}

/** The `webhooks` object. */
export const WEBHOOKS = {
  normalizedEvent: {
    post: {
      operationId: "receiveNormalizedEvent",
      tags: ["downstream"],
      summary: "One normalized Bandwidth event, POSTed to DOWNSTREAM_URL",
      description:
        "At least once, in order per message (`sequence`): deduplicate on `id`. Signed per Standard Webhooks " +
        "with DOWNSTREAM_SECRET (verify with the `standardwebhooks` npm package).",
      parameters: [
        header(
          "webhook-id",
          "The event's `id`, the same on every retry.",
          "evt_9f86d081884c7d659a2feaa0c55ad015",
        ),
        header("webhook-timestamp", "Unix seconds of this attempt.", "1726337876"),
        header(
          "webhook-signature",
          "`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`; one per secret, space-separated.",
          "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        ),
        header(
          "traceparent",
          "W3C trace context of this attempt: the event's trace id (as in the body's `traceparent`) and a new span id per attempt.",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-53995c3f42cd8ad8-01",
        ),
      ],
      requestBody: {
        required: true,
        content: { "application/cloudevents+json": { schema: schemaRef("NormalizedEvent") } },
      },
      responses: {
        "2XX": { description: "Delivered." },
        "408": { description: "Retried with capped exponential backoff and jitter." },
        "429": {
          description: "Retried, honouring Retry-After.",
          headers: {
            "Retry-After": {
              description: "Seconds or an HTTP date: the next attempt waits at least this long.",
              schema: { type: "string" },
            },
          },
        },
        "5XX": { description: "Retried, honouring Retry-After (as are timeouts and network errors)." },
        default: {
          description:
            "Any other status, redirects included, makes a dead letter (as does FORWARD_MAX_AGE_HOURS).",
        },
      },
    },
  },
  operatorEvent: {
    post: {
      operationId: "receiveOperatorEvent",
      tags: ["downstream"],
      summary: "A destination's health changed: sent to the destinations whose filter has operator: true",
      description:
        "`com.bandwidth-edge-receiver.destination.failing` after 5 consecutive failed attempts spanning at least " +
        "60 s, `.recovered` after the success that ends them. HTTP destinations receive it signed with their own " +
        "DESTINATION_SECRET_<NAME>, with the same headers and retries as a normalized event; queue destinations " +
        "receive it as the message body. Deduplicate on `id`.",
      parameters: [
        header("webhook-id", "The event's `id`, the same on every retry.", "failing:crm:1796028081137"),
        header("webhook-timestamp", "Unix seconds of this attempt.", "1796028082"),
        header(
          "webhook-signature",
          "`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`; one per secret, space-separated.",
          "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        ),
      ],
      requestBody: {
        required: true,
        content: { "application/cloudevents+json": { schema: schemaRef("OperatorEvent") } },
      },
      responses: {
        "2XX": { description: "Delivered." },
        default: { description: "Retried like a normalized event; a permanent status drops it (logged)." },
      },
    },
  },
};
