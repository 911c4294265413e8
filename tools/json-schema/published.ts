/**
 * The published JSON Schemas (schemas/*.schema.json), generated from the valibot schemas so that they cannot
 * drift from the code: the Bandwidth callback event the receiver accepts and the normalized event it forwards.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { NormalizedEventSchema } from "../../src/forward/cloud-event.ts";
import { CONVERSION_CONFIG } from "./conversion.ts";

/** JSON text of a schema file: the schema with its title first, two-space indented, with a final newline. */
function schemaFile(schema: object, title: string): string {
  return `${JSON.stringify({ title, ...schema }, null, 2)}\n`;
}

/** File name → JSON text of every published JSON Schema. */
export function renderJsonSchemas(): Record<string, string> {
  return {
    "normalized-event.schema.json": schemaFile(
      toJsonSchema(NormalizedEventSchema, CONVERSION_CONFIG),
      "Normalized Bandwidth messaging event (CloudEvents 1.0)",
    ),
    "bandwidth-callback-event.schema.json": schemaFile(
      toJsonSchema(BandwidthEventSchema, CONVERSION_CONFIG),
      "Bandwidth messaging callback event, as accepted",
    ),
  };
}
