/**
 * docs/RELIABILITY.md's generated figures (test/reliability/render.ts): the tables say what the reports hold,
 * and a block is replaced between its markers or the update fails loudly.
 */
import { describe, expect, it } from "vitest";
import {
  faultsTable,
  replaceBlock,
  type ScenarioFigures,
  summaryTable,
  type WorkerdFigures,
} from "../reliability/render.ts";

const workerd: WorkerdFigures = {
  generatedAt: "2026-11-30T00:00:00.000Z",
  complete: true,
  fuzz: { requests: 11384, events: 38445, outcomes: { "200": 9003, "400": 1857, "413": 24, "415": 500 } },
  properties: { runs: 11300, tests: [{ test: "a", runs: 11300 }] },
  security: { passed: 38, failed: 0 },
};

function scenario(name: string, lost: number): ScenarioFigures {
  return {
    scenario: name,
    callbacks: 600,
    callbackErrors: 0,
    achievedRate: 20,
    accepted: 580,
    deliveredDistinct: 580 - lost,
    lost,
    notDeliveredInHistory: lost,
    duplicates: 0,
    outOfOrder: 0,
    ackP50Ms: 20,
    ackP99Ms: 80,
    lagP99Ms: 30,
    lagMaxMs: 21_400,
    timeToDrainMs: 3_500,
  };
}

describe("the reliability figures", () => {
  it("summarizes the fuzz answers, the 5xx count and the events lost across scenarios", () => {
    const table = summaryTable(workerd, [
      scenario("outage-60s", 0),
      scenario("hanging-20s", 2),
      scenario("load", 0),
    ]);
    expect(table).toContain("**11,384 callbacks** (38,445 events)");
    expect(table).toContain("**0 × 5xx**");
    expect(table).toContain("**1 of 2**");
    expect(table).toContain("| Events lost | **2** of 1,740 accepted");
  });

  it("lists the scenarios in the document's order, whatever the report's", () => {
    const rows = faultsTable([scenario("load", 0), scenario("outage-60s", 0)])
      .split("\n")
      .slice(2);
    expect(rows.map((row) => row.split("|")[1]?.trim())).toEqual(["`outage-60s`", "`load`"]);
    expect(rows[0]).toContain("| 21.4 s | 3.5 s |");
  });

  it("replaces exactly the text between a block's markers, and refuses a document without them", () => {
    const doc = "a\n<!-- figures:x -->\nold\n<!-- /figures:x -->\nb";
    expect(replaceBlock(doc, "x", "new")).toBe("a\n<!-- figures:x -->\nnew\n<!-- /figures:x -->\nb");
    expect(() => replaceBlock("no markers", "x", "new")).toThrow(/no <!-- figures:x -->/);
  });
});
