/**
 * The OpenAPI document as OpenAPI 3.1 tooling sees it: the committed file and what `wrangler dev` serves at
 * GET /openapi.json both validate with @seriousme/openapi-schema-validator (ajv code generation, which cannot
 * run inside workerd, hence Node), and Bandwidth's official examples validate against its callback body schema.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../harness/repo.ts";
import { seedExamples } from "./harness/seeds.ts";
import { useStack } from "./harness/stack.ts";

const COMMITTED: Record<string, unknown> = JSON.parse(
  readFileSync(join(REPO_ROOT, "src/console/openapi.json"), "utf8"),
);
const FIXTURE_DIR = resolve(REPO_ROOT, "test/fixtures/bandwidth-official");

async function validateOpenApi(document: Record<string, unknown>) {
  const validator = new Validator();
  // The validator may annotate what it is given; the committed object stays untouched.
  const result = await validator.validate(structuredClone(document));
  return { ...result, version: validator.version };
}

interface JsonSchemaCheck {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}

/**
 * A JSON Schema 2020-12 validator of one component schema of the document, built with ajv and ajv-formats
 * (devDependencies pinned in package.json, the versions the OpenAPI validator uses).
 */
function componentValidator(document: object, name: string): JsonSchemaCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, "openapi.json");
  return ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
}

const callbackBody = componentValidator(COMMITTED, "CallbackBody");

describe("the committed OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await validateOpenApi(COMMITTED);
    expect(result.errors).toBeUndefined();
    expect(result).toMatchObject({ valid: true, version: "3.1" });
  });

  it("is rejected by the validator once broken, so the check above means something", async () => {
    const broken = structuredClone(COMMITTED) as { paths: Record<string, { get?: object }> };
    broken.paths["/healthz"] = { get: { responses: { "200": { content: {} } } } };
    expect((await validateOpenApi(broken)).valid).toBe(false);
  });
});

describe("the callback body schema of the document (ajv)", () => {
  const check = callbackBody;
  const fixtures = readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort();

  it("accepts every official Bandwidth example, bare objects and arrays alike", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(36);
    const rejected = fixtures.filter(
      (file) => !check(JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8"))),
    );
    expect(rejected).toEqual([]);
  });

  it("accepts the examples of Bandwidth's message-delivered page", () => {
    const seeds = seedExamples("message-delivered-event");
    expect(seeds.length).toBe(3);
    for (const seed of seeds) expect(check(seed), JSON.stringify(check.errors)).toBe(true);
  });

  it("rejects what the receiver rejects: a string segmentCount, a bad time, an empty array", () => {
    const [example] = seedExamples("message-delivered-event") as Array<
      Array<{ time: string; message: Record<string, unknown> }>
    >;
    const event = example?.[0];
    expect(event).toBeDefined();
    if (!event) return;
    expect(check([{ ...event, message: { ...event.message, segmentCount: "1" } }])).toBe(false);
    expect(check([{ ...event, time: "14 Sep 2016 18:20:16" }])).toBe(false);
    expect(check([])).toBe(false);
  });
});

describe("GET /openapi.json from wrangler dev", () => {
  const stack = useStack();

  it("serves the committed document, unauthenticated, as valid OpenAPI 3.1 JSON", async () => {
    const response = await fetch(`${stack().receiver.baseUrl}/openapi.json`, {
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
    const served = (await response.json()) as Record<string, unknown>;
    expect(served).toEqual(COMMITTED);
    expect(await validateOpenApi(served)).toMatchObject({ valid: true, version: "3.1" });
  });
});
