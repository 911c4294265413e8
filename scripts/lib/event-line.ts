/**
 * One readable line per event that reaches the built-in downstream of `npm run dev`: arrival time, CloudEvent
 * type, message id, masked recipient, status, sequence and the signature verdict. Pure.
 */
import { maskNumber } from "../../src/log.ts";

/** How the built-in downstream judged a request's Standard Webhooks signature. */
export type SignatureCheck = "ok" | "invalid";

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown, fallback = "?"): string {
  if (typeof value === "string") return value;
  return typeof value === "number" ? String(value) : fallback;
}

function clock(at: Date): string {
  return at.toTimeString().slice(0, 8);
}

/**
 * The line for one received event, e.g.
 * `14:03:22  com.bandwidth.message.delivered  1795…  to +1********01  delivered  seq 3  signature ok`.
 * `event` is the parsed body (anything JSON); `attempt` counts deliveries of the same `webhook-id`.
 */
export function eventLine(event: unknown, signature: SignatureCheck, receivedAt: Date, attempt = 1): string {
  const data = field(event, "data");
  const errorCode = field(data, "errorCode");
  const status =
    text(field(data, "status")) + (errorCode === undefined ? "" : ` (errorCode ${text(errorCode)})`);
  const parts = [
    clock(receivedAt),
    text(field(event, "type"), "(not a CloudEvent)").padEnd(41),
    text(field(event, "subject")).padEnd(29),
    `to ${maskNumber(text(field(data, "recipient"), ""))}`.padEnd(15),
    status.padEnd(12),
    `seq ${text(field(event, "sequence"))}`.padEnd(6),
    signature === "ok" ? "signature ok" : "SIGNATURE INVALID",
  ];
  if (attempt > 1) parts.push(`(delivery ${attempt} of this event)`);
  return parts.join("  ");
}
