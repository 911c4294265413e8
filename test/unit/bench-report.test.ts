/**
 * The bench's verdicts (bench/lib/report.ts): the targets of issue #5 and the warnings about unreliable runs.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_MIX } from "../../bench/lib/mix.ts";
import { type BenchResult, checkTargets, runWarnings } from "../../bench/lib/report.ts";

const load = { requestsPerSec: 100, p50Ms: 10, p90Ms: 20, p99Ms: 30, errors: 0, non2xx: 0, socketErrors: 0 };

function result(): Omit<BenchResult, "targets" | "warnings"> {
  return {
    timestamp: "2025-01-01T00:00:00.000Z",
    machine: {
      cores: 2,
      cpuModel: "x",
      nodeVersion: "v24",
      wranglerVersion: "4",
      workerdVersion: "1",
      platform: "p",
    },
    params: {
      duration: 20,
      concurrency: 32,
      seed: 1,
      mix: DEFAULT_MIX,
      order: "",
      receiverVars: {},
      localObservability: "false",
    },
    ingest: {
      ...load,
      timeouts: 0,
      completed: 2000,
      durationS: 20.1,
      messages: 900,
      accepted: 1900,
      duplicates: 40,
    },
    baseline: { ...load, requestsPerSec: 180, timeouts: 0, completed: 3600, durationS: 20.0 },
    ratio: 100 / 180,
    forwarding: {
      lagP50Ms: 50,
      lagP90Ms: 200,
      lagP99Ms: 900,
      lagMaxMs: 1200,
      expected: 1900,
      received: 1900,
      lost: 0,
      duplicateDeliveries: 0,
      unacknowledged: 3,
      badSignatures: 0,
      drainMs: 200,
      lostSample: [],
    },
    bundle: { gzipBytes: 30_000, rawBytes: 90_000 },
    storage: {
      bytes: 15_000_000,
      files: 950,
      messages: 900,
      bytesPerMessage: 16_700,
      messageDatabaseBytes: 16_384,
      beforeCheckpoint: { bytes: 40_000_000, walBytes: 20_000_000 },
      measured: "",
    },
    destinations: {
      ingest: { ...load, timeouts: 0, completed: 1900, durationS: 20.1, accepted: 1800, duplicates: 38 },
      forwarding: {
        lagP50Ms: 60,
        lagP90Ms: 250,
        lagP99Ms: 1200,
        lagMaxMs: 1500,
        expected: 3600,
        received: 3600,
        lost: 0,
        duplicateDeliveries: 0,
        perDestination: [],
        badSignatures: 0,
        drainMs: 400,
      },
      lagP99Ratio: 1200 / 900,
    },
  };
}

describe("checkTargets", () => {
  it("passes a run that meets every target", () => {
    expect(checkTargets(result()).filter((check) => !check.ok)).toEqual([]);
  });

  it("misses each target just past its limit", () => {
    const run = result();
    run.ratio = 0.49;
    run.ingest.errors = 1;
    run.forwarding.lost = 1;
    run.forwarding.lagP99Ms = 1001;
    run.bundle.gzipBytes = 40 * 1024 + 1;
    run.storage.bytesPerMessage = 20 * 1024 + 1;
    run.destinations.forwarding.lost = 1;
    run.destinations.lagP99Ratio = 1.51;
    expect(checkTargets(run).filter((check) => check.ok)).toEqual([]);
  });

  it("misses the lag target when nothing was forwarded", () => {
    const run = result();
    run.forwarding.lagP99Ms = null;
    expect(checkTargets(run).find((check) => check.name === "forwarding.lagP99Ms")?.ok).toBe(false);
  });

  it("misses the three-destination lag target when either run forwarded nothing", () => {
    const run = result();
    run.destinations.lagP99Ratio = null;
    expect(checkTargets(run).find((check) => check.name === "destinations.lagP99Ratio")?.ok).toBe(false);
  });
});

describe("runWarnings", () => {
  it("says nothing about a clean run", () => {
    expect(runWarnings(result())).toEqual([]);
  });

  it("warns when a load overran its duration, as when the machine stalls", () => {
    const run = result();
    run.ingest.durationS = 50.2;
    expect(runWarnings(run)).toEqual([
      "the receiver load ran 50.2 s instead of 20 s: the machine stalled; run again",
    ]);
  });

  it("warns about forwarded requests whose signature did not verify", () => {
    const run = result();
    run.forwarding.badSignatures = 2;
    run.destinations.forwarding.badSignatures = 1;
    expect(runWarnings(run)).toEqual(["3 forwarded requests had a signature that did not verify"]);
  });

  it("warns when the three-destination load overran its duration", () => {
    const run = result();
    run.destinations.ingest.durationS = 31;
    expect(runWarnings(run)).toEqual([
      "the three-destination receiver load ran 31 s instead of 20 s: the machine stalled; run again",
    ]);
  });
});
