/**
 * The published JSON Schemas and the OpenAPI document, generated from the valibot schemas so that they cannot
 * drift from the code.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { BandwidthEventSchema } from "../bandwidth/schema.ts";
import { NormalizedEventSchema } from "../forward/cloud-event.ts";
import { buildOpenApiDocument } from "../openapi/document.ts";
import { CONVERSION_CONFIG } from "./conversion.ts";

/** File name → JSON text of every published schema, and of the OpenAPI document. */
export function renderSchemas(): Record<string, string> {
  const render = (schema: object, title: string) => `${JSON.stringify({ title, ...schema }, null, 2)}\n`;
  return {
    "normalized-event.schema.json": render(
      toJsonSchema(NormalizedEventSchema, CONVERSION_CONFIG),
      "Normalized Bandwidth messaging event (CloudEvents 1.0)",
    ),
    "bandwidth-callback-event.schema.json": render(
      toJsonSchema(BandwidthEventSchema, CONVERSION_CONFIG),
      "Bandwidth messaging callback event, as accepted",
    ),
    "openapi.json": `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`,
  };
}
