/**
 * The storage budget of one message (src/message/budget.ts): what a message counts, the growth a change may
 * make, and the bounded error text that keeps a record within its headroom.
 */
import { describe, expect, it } from "vitest";
import {
  assertGrowthFits,
  boundedError,
  GROWN_MESSAGE_BYTES,
  MessageTooLargeError,
  recordHeadroom,
  usedBytes,
} from "../../src/message/budget.ts";
import type { EventRecord, StoredMessage } from "../../src/message/records.ts";

/** A message whose only event is padded so that the message counts exactly `bytes`. */
function messageOf(bytes: number): StoredMessage {
  const record = (pad: string) => ({ deliveries: {}, pad }) as unknown as EventRecord;
  const empty = usedBytes({ state: undefined, events: [record("")] });
  return { state: undefined, events: [record("x".repeat(bytes - empty))] };
}

describe("the message budget", () => {
  it("lets a change grow a message to 1.5 MiB, far under the platform's 2 MB row", () => {
    expect(GROWN_MESSAGE_BYTES).toBe(1_572_864);
  });

  it("allows exactly GROWN_MESSAGE_BYTES and refuses one byte more, saying how many", () => {
    expect(usedBytes(messageOf(GROWN_MESSAGE_BYTES))).toBe(GROWN_MESSAGE_BYTES);
    expect(() => assertGrowthFits(messageOf(GROWN_MESSAGE_BYTES))).not.toThrow();
    const over = () => assertGrowthFits(messageOf(GROWN_MESSAGE_BYTES + 1));
    expect(over).toThrow(MessageTooLargeError);
    expect(over).toThrow(`message would hold ${GROWN_MESSAGE_BYTES + 1} bytes`);
  });

  it("names its error, so that a rolled-back change says why", () => {
    expect(new MessageTooLargeError("x").name).toBe("MessageTooLargeError");
  });

  it("reserves 512 bytes per destination, at least one share, plus 4 KiB for media to copy", () => {
    const record = (destinations: number, media: boolean) =>
      ({
        deliveries: Object.fromEntries(Array.from({ length: destinations }, (_, i) => [`d${i}`, {}])),
        ...(media ? { media: { state: "pending" } } : {}),
      }) as unknown as EventRecord;
    expect(recordHeadroom(record(0, false))).toBe(512);
    expect(recordHeadroom(record(3, false))).toBe(1_536);
    expect(recordHeadroom(record(2, true))).toBe(1_024 + 4_096);
  });

  it("bounds an error text to 200 printable ASCII characters without JSON escapes", () => {
    expect(boundedError('bad "quote" \\ é\n')).toBe("bad ?quote? ? ??");
    expect(boundedError("x".repeat(500))).toBe("x".repeat(200));
  });
});
