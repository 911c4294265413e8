/**
 * The OpenAPI 3.1 document of the receiver's HTTP API, built from the valibot schemas. Only the generator
 * (`npm run schemas`) runs this; the Worker serves the committed result, src/console/openapi.json, as a static asset.
 */
import packageJson from "../../package.json" with { type: "json" };
import { componentSchemas, SECURITY_SCHEMES, SHARED_RESPONSES } from "./components.ts";
import { PATHS } from "./paths.ts";
import { WEBHOOKS } from "./webhooks.ts";

/** The OpenAPI version the document follows. */
export const OPENAPI_VERSION = "3.1.0";

/** Builds the document; `version` is the package version. */
export function buildOpenApiDocument(version: string = packageJson.version) {
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: "Bandwidth edge receiver",
      version,
      summary: "Receives Bandwidth Messaging callbacks and forwards them as signed CloudEvents.",
      description:
        "`webhooks` describes what is POSTed to DOWNSTREAM_URL. Errors never echo numbers or text.",
    },
    tags: [
      { name: "callbacks", description: "Called by Bandwidth." },
      { name: "operator", description: "The operator API." },
      { name: "meta", description: "Unauthenticated." },
      { name: "media", description: "Copies of inbound media, behind signed links." },
      { name: "downstream", description: "Sent to DOWNSTREAM_URL." },
    ],
    paths: PATHS,
    webhooks: WEBHOOKS,
    components: {
      schemas: componentSchemas(),
      responses: SHARED_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
