/**
 * The one-command local setup of docs/destinations.md and examples/queue-consumer/README.md, run as written:
 * the producer binding added to wrangler.toml, a queue destination, and
 * `wrangler dev -c wrangler.toml -c examples/queue-consumer/wrangler.toml`, the consumer an auxiliary Worker of
 * the receiver's session with no port of its own: its log lines are what there is to see.
 */
import { describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { newMessageId, outboundLifecycle } from "../helpers/events.ts";
import { getMessage } from "./harness/api.ts";
import { postCallback } from "./harness/client.ts";
import { consumerLines, EventProcessedLineSchema } from "./harness/consumer-log.ts";
import { EVENTS_QUEUE_PRODUCER } from "./harness/sources.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack(
  { DESTINATIONS: JSON.stringify([{ name: "warehouse", queue: "EVENTS_QUEUE" }]) },
  {
    appendToWranglerToml: EVENTS_QUEUE_PRODUCER,
    auxiliaryConfigs: ["examples/queue-consumer/wrangler.toml"],
  },
);

describe("the receiver and the example consumer in one wrangler dev", () => {
  it("hands a message's events to the consumer through the local queue, processed once each in sequence order", async () => {
    const { receiver } = current();
    const id = newMessageId("e2e-one-session");
    for (const event of outboundLifecycle(id)) {
      expect((await postCallback(receiver, [event])).status).toBe(200);
    }
    const accepted = (await getMessage(receiver, id))?.events ?? [];
    expect(accepted).toHaveLength(3);

    const processed = await waitFor(
      () => {
        const lines = consumerLines(receiver.logTail(200_000), EventProcessedLineSchema);
        const mine = lines.filter((line) => line.subject === id);
        return mine.length >= 3 && mine;
      },
      15_000,
      "the consumer's event_processed lines for the message",
    );
    expect(processed.map((line) => [line.position, line.eventId, line.sequence, line.late])).toEqual(
      [...accepted]
        .sort((a, b) => a.sequence - b.sequence)
        .map((event, index) => [index + 1, event.id, event.sequence, false]),
    );
  });
});
