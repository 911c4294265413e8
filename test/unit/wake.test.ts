import { describe, expect, it } from "vitest";
import { nextWake, type WakeInput } from "../../src/message/wake.ts";

const NOW = 1_000_000;
const idle: WakeInput = {
  now: NOW,
  headDueAt: undefined,
  inline: false,
  settleMs: 5_000,
  unsavedSince: undefined,
  listWork: false,
  indexBehindSince: undefined,
  listRetryAt: 0,
  updatedAt: NOW - 1_000,
  retentionMs: 50_000,
};

describe("nextWake", () => {
  it("waits for retention once nothing is pending, unsaved or behind, and for nothing before a first event", () => {
    expect(nextWake(idle)).toBe(NOW - 1_000 + 50_000);
    expect(nextWake({ ...idle, updatedAt: undefined })).toBeUndefined();
  });

  it("wakes for a pending head when it is due", () => {
    expect(nextWake({ ...idle, headDueAt: NOW + 7_000 })).toBe(NOW + 7_000);
    expect(nextWake({ ...idle, headDueAt: NOW - 10 })).toBe(NOW - 10);
  });

  it("lets an inline forward take a head due now, the alarm a settle delay later as its safety net", () => {
    expect(nextWake({ ...idle, headDueAt: NOW, inline: true })).toBe(NOW + 5_000);
    // A head due later (a backoff) is the alarm's, inline or not.
    expect(nextWake({ ...idle, headDueAt: NOW + 2_000, inline: true })).toBe(NOW + 2_000);
  });

  it("writes what waits in memory, and the index, a settle delay after it began to wait", () => {
    expect(nextWake({ ...idle, unsavedSince: NOW - 1_000 })).toBe(NOW + 4_000);
    expect(nextWake({ ...idle, indexBehindSince: NOW - 2_000 })).toBe(NOW + 3_000);
    // A failing index update waits for its retry.
    expect(nextWake({ ...idle, indexBehindSince: NOW - 2_000, listRetryAt: NOW + 60_000 })).toBe(
      NOW + 60_000,
    );
  });

  it("sends list work at once, or at its retry", () => {
    expect(nextWake({ ...idle, listWork: true })).toBe(NOW);
    expect(nextWake({ ...idle, listWork: true, listRetryAt: NOW + 9_000 })).toBe(NOW + 9_000);
  });

  it("takes the earliest of everything due", () => {
    const wake = nextWake({
      ...idle,
      headDueAt: NOW + 8_000,
      unsavedSince: NOW,
      indexBehindSince: NOW - 4_000,
    });
    expect(wake).toBe(NOW + 1_000);
  });
});
