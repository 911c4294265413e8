import { describe, expect, it } from "vitest";
import bandwidthEvent from "../../schemas/bandwidth-callback-event.schema.json";
import normalizedEvent from "../../schemas/normalized-event.schema.json";
import openApi from "../../src/console/openapi.json";
import { OPENAPI_FILE, renderSchemas } from "../../tools/schema-files.ts";

// workerd has no file system: the committed files come in as JSON modules.
const COMMITTED: Record<string, unknown> = {
  "schemas/normalized-event.schema.json": normalizedEvent,
  "schemas/bandwidth-callback-event.schema.json": bandwidthEvent,
  [OPENAPI_FILE]: openApi,
};

describe("the published JSON Schemas and OpenAPI document", () => {
  it("match what the valibot schemas generate (run `npm run schemas` when this fails)", () => {
    const generated = renderSchemas();
    expect(Object.keys(generated).sort()).toEqual(Object.keys(COMMITTED).sort());
    for (const [file, text] of Object.entries(generated)) {
      expect(JSON.parse(text), `${file} is stale`).toEqual(COMMITTED[file]);
    }
  });

  it("require the CloudEvents attributes of the contract", () => {
    expect(normalizedEvent.required).toEqual(
      expect.arrayContaining(["specversion", "id", "source", "type", "subject", "time", "sequence", "data"]),
    );
  });

  it("describe Bandwidth's RFC 3339 times as date-time", () => {
    expect(bandwidthEvent.properties.time).toEqual({ type: "string", format: "date-time" });
    expect(bandwidthEvent.properties.message.properties.time.format).toBe("date-time");
  });
});
