/**
 * The example queue consumer's JSON log lines (examples/queue-consumer/), read from wrangler's output: with or
 * without the `[bandwidth-events-consumer] ` prefix wrangler puts before an auxiliary Worker's lines.
 */
import * as v from "valibot";

/** `queue_message`: what the consumer made of one queue message. */
export const QueueMessageLineSchema = v.looseObject({
  event: v.literal("queue_message"),
  eventId: v.string(),
  subject: v.string(),
  outcome: v.string(),
});

/** `event_processed`: one event processed, with its place in its message's processing order. */
export const EventProcessedLineSchema = v.looseObject({
  event: v.literal("event_processed"),
  subject: v.string(),
  eventId: v.string(),
  sequence: v.nullable(v.number()),
  position: v.number(),
  late: v.boolean(),
});

/** The lines of `log` that parse with `schema`, in order. */
export function consumerLines<T extends v.GenericSchema>(log: string, schema: T): Array<v.InferOutput<T>> {
  return log.split("\n").flatMap((line) => {
    const start = line.indexOf("{");
    if (start < 0) return [];
    let value: unknown;
    try {
      value = JSON.parse(line.slice(start));
    } catch {
      return [];
    }
    const parsed = v.safeParse(schema, value);
    return parsed.success ? [parsed.output] : [];
  });
}
