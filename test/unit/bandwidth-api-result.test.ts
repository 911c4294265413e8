/**
 * How the Bandwidth API client classifies answers (src/bandwidth/api-result.ts) and reads List Messages
 * (src/bandwidth/list-messages.ts), without any HTTP.
 */
import { describe, expect, it } from "vitest";
import {
  failureOfError,
  failureOfStatus,
  isRetryable,
  rateLimitWaitMs,
} from "../../src/bandwidth/api-result.ts";
import { readMessagesList } from "../../src/bandwidth/list-messages.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");

describe("rateLimitWaitMs", () => {
  it.each([
    ["7", 7_000],
    [" 120 ", 120_000],
    [new Date(NOW + 90_000).toUTCString(), 90_000],
    [null, 60_000],
    ["soon", 60_000],
    ["0", 60_000],
    [new Date(NOW - 5_000).toUTCString(), 60_000],
    ["999999", 3_600_000],
  ])("Retry-After %s → %i ms", (header, wait) => {
    expect(rateLimitWaitMs(header, NOW)).toBe(wait);
  });
});

describe("failureOfStatus", () => {
  it.each([
    [429, "rate-limited", true],
    [404, "not-found", false],
    [401, "unauthorized", false],
    [403, "unauthorized", false],
    [500, "unavailable", true],
    [503, "unavailable", true],
    [408, "unavailable", true],
    [400, "rejected", false],
    [422, "rejected", false],
  ])("HTTP %i is %s (retryable: %s)", (status, kind, retryable) => {
    const failure = failureOfStatus(status, 5_000);
    expect(failure.kind).toBe(kind);
    expect(isRetryable(failure)).toBe(retryable);
  });

  it("says timeout for an aborted fetch and names only the error's class otherwise", () => {
    expect(failureOfError(new DOMException("x", "TimeoutError"))).toEqual({
      kind: "unavailable",
      reason: "timeout",
    });
    expect(failureOfError(new TypeError("fetch failed for https://secret.example/?token=abc"))).toEqual({
      kind: "unavailable",
      reason: "network error (TypeError)",
    });
  });
});

describe("readMessagesList", () => {
  it("keeps readable items, counts the others, and refuses a body that is not a list", () => {
    const body = {
      totalCount: 3,
      pageInfo: {},
      messages: [
        { messageId: "m", messageStatus: "DELIVERED", destinationTn: "+15554443333", bwLatency: null },
        { messageId: "m", messageStatus: "NEW_STATUS_2030", brandNewField: [1, 2] },
        { messageStatus: "SENT" },
        { messageId: "m", messageStatus: "FAILED", errorCode: "4720" },
      ],
    };
    const list = readMessagesList(body);
    expect(list?.items.map((item) => item.messageStatus)).toEqual(["DELIVERED", "NEW_STATUS_2030"]);
    expect(list?.items[1]).toMatchObject({ brandNewField: [1, 2] });
    expect(list?.unreadable).toBe(2);
    expect(readMessagesList({ messages: "nope" })).toBeUndefined();
    expect(readMessagesList([])).toBeUndefined();
  });
});
