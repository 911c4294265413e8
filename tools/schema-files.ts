/**
 * Everything `npm run schemas` writes to schemas/: the published JSON Schemas and the OpenAPI document the
 * Worker serves at GET /openapi.json. Build time only; nothing in src/ imports tools/.
 */
import { renderJsonSchemas } from "./json-schema/published.ts";
import { buildOpenApiDocument } from "./openapi/document.ts";

/** File name (in schemas/) → JSON text of every generated file. */
export function renderSchemas(): Record<string, string> {
  return {
    ...renderJsonSchemas(),
    "openapi.json": `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`,
  };
}
