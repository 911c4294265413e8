/**
 * Every official Bandwidth example callback (test/fixtures/bandwidth-official/, handed in by test/bandwidth-fixtures.setup.ts)
 * is accepted unchanged, whether published as an array or as a bare object.
 */
import { describe, expect, inject, it } from "vitest";
import { parseCallbackBody } from "../../src/bandwidth/parse.ts";

/** How many examples test/fixtures/bandwidth-official/ holds. */
const OFFICIAL_EXAMPLE_COUNT = 36;
const fixtures = inject("bandwidthFixtures");

describe("Bandwidth's official example callbacks", () => {
  it("are all provided by the global setup", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(OFFICIAL_EXAMPLE_COUNT);
  });

  it("include both a bare object and an array body", () => {
    const shapes = new Set(
      fixtures.map(({ body }) => (Array.isArray(JSON.parse(body)) ? "array" : "object")),
    );
    expect([...shapes].sort()).toEqual(["array", "object"]);
  });

  it.each(fixtures)("$file is accepted with every field kept", ({ body }) => {
    const published: unknown = JSON.parse(body);
    const result = parseCallbackBody(body);
    expect(result).toEqual({ ok: true, events: Array.isArray(published) ? published : [published] });
  });
});
