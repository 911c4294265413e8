/**
 * Everything `npm run schemas` writes: the published JSON Schemas (schemas/) and the OpenAPI document the Worker
 * serves at GET /openapi.json (src/console/openapi.json, a static asset: not in the Worker's script). Build time
 * only; nothing in src/ imports tools/.
 */
import { renderJsonSchemas } from "./json-schema/published.ts";
import { buildOpenApiDocument } from "./openapi/document.ts";

/** Where the OpenAPI document is written, relative to the repository. */
export const OPENAPI_FILE = "src/console/openapi.json";

/** Path (relative to the repository) → JSON text of every generated file. */
export function renderSchemas(): Record<string, string> {
  const schemas = Object.entries(renderJsonSchemas()).map(([file, text]) => [`schemas/${file}`, text]);
  return {
    ...Object.fromEntries(schemas),
    [OPENAPI_FILE]: `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`,
  };
}
