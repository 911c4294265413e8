/**
 * GET /openapi.json: the committed OpenAPI document, unauthenticated. It is imported as a JSON module so that
 * the Worker does not carry the schema converter; a test fails when the committed file is stale.
 */
import { Hono } from "hono";
import openApiDocument from "../../schemas/openapi.json" with { type: "json" };
import type { AppEnv } from "../http/app-env.ts";

/** The OpenAPI route. */
export const openApi = new Hono<AppEnv>().get("/", (c) => c.json(openApiDocument));
