import { describe, expect, it } from "vitest";
import bandwidthEvent from "../../schemas/bandwidth-callback-event.schema.json";
import normalizedEvent from "../../schemas/normalized-event.schema.json";
import { renderSchemas } from "../../src/schemas/json-schema.ts";

describe("the published JSON Schemas", () => {
  it("match what the valibot schemas generate (run `npm run schemas` when this fails)", () => {
    const generated = renderSchemas();
    expect(JSON.parse(generated["normalized-event.schema.json"] ?? "null")).toEqual(normalizedEvent);
    expect(JSON.parse(generated["bandwidth-callback-event.schema.json"] ?? "null")).toEqual(bandwidthEvent);
  });

  it("require the CloudEvents attributes of the contract", () => {
    expect(normalizedEvent.required).toEqual(
      expect.arrayContaining(["specversion", "id", "source", "type", "subject", "time", "sequence", "data"]),
    );
  });
});
