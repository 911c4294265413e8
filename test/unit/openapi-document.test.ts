import type * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import packageJson from "../../package.json";
import type { CallbackIssue } from "../../src/bandwidth/parse.ts";
import type { ConfigProblem } from "../../src/config.ts";
import openApi from "../../src/console/openapi.json";
import type { DestinationHealthView, DestinationView } from "../../src/forward/destination-view.ts";
import { app } from "../../src/index.ts";
import type { MessageSummary } from "../../src/index-db/search.ts";
import type { DeliveryStats } from "../../src/index-db/stats.ts";
import type { MessageView } from "../../src/message/view.ts";
import type { DeadLetterPage } from "../../src/objects/dead-letter-sql.ts";
import { COMPONENT_SCHEMAS } from "../../tools/openapi/components.ts";
import type {
  CallbackIssueSchema,
  ConfigProblemSchema,
  DeadLetterPageSchema,
  DeadLetterSchema,
  DeliveryStatsSchema,
  DestinationHealthViewSchema,
  DestinationViewSchema,
  MessageSearchPageSchema,
  MessageSummarySchema,
  MessageViewSchema,
} from "../../tools/openapi/response-schemas.ts";

/** An intersection as one object type, so that type equality compares fields, not how the type was written. */
type Flatten<T> = { [K in keyof T]: T[K] };
/** {@link Flatten} applied to each member of a union. */
type FlattenEach<T> = T extends unknown ? Flatten<T> : never;

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** `METHOD /path/{param}` of every operation in the document. */
function documentedOperations(): string[] {
  return Object.entries(openApi.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => METHODS.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** `METHOD /path/{param}` of every handler mounted on the Hono app; middleware (`ALL …/*`) is not a route. */
function mountedRoutes(): string[] {
  const routes = app.routes
    .filter((route) => !(route.method === "ALL" && route.path.endsWith("/*")))
    .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
  return [...new Set(routes)];
}

/** Every `$ref` value anywhere in `value`. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === "$ref" && typeof child === "string" ? [child] : refsIn(child),
  );
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and carries the package version", () => {
    expect(openApi.openapi).toBe("3.1.0");
    expect(openApi.info.version).toBe(packageJson.version);
  });

  it("documents exactly the routes the Worker mounts", () => {
    const mounted = mountedRoutes();
    expect(mounted).toContain("POST /callbacks/messaging");
    expect(mounted).toContain("GET /messages/{id}");
    expect(mounted).toContain("POST /destinations/{name}/pause");
    expect(documentedOperations().sort()).toEqual(mounted.sort());
  });

  it("resolves every $ref to a component that exists", () => {
    const refs = new Set(refsIn(openApi));
    expect(refs.size).toBeGreaterThan(10);
    for (const ref of refs) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(\w+)$/.exec(ref) ?? [];
      expect(section, `${ref} is not a local component`).toBeDefined();
      expect(openApi.components[section as "schemas" | "responses"], ref).toHaveProperty(name as string);
    }
  });

  it("uses every component schema it defines", () => {
    const refs = new Set(refsIn(openApi));
    for (const name of Object.keys(COMPONENT_SCHEMAS)) {
      expect(refs, `components/schemas/${name} is never referenced`).toContain(
        `#/components/schemas/${name}`,
      );
    }
  });

  it("requires Basic credentials for callbacks, the bearer token for the operator API and nothing else", () => {
    const security = Object.fromEntries(
      Object.entries(openApi.paths).flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([key]) => METHODS.includes(key))
          .map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation.security]),
      ),
    );
    expect(security).toEqual({
      "POST /callbacks/messaging": [{ callbackBasic: [] }],
      "GET /messages": [{ operatorBearer: [] }],
      "GET /messages/{id}": [{ operatorBearer: [] }],
      "POST /messages/{id}/redeliver": [{ operatorBearer: [] }],
      "GET /dead-letters": [{ operatorBearer: [] }],
      "POST /dead-letters/redeliver": [{ operatorBearer: [] }],
      "GET /quarantine": [{ operatorBearer: [] }],
      "POST /quarantine/release": [{ operatorBearer: [] }],
      "GET /destinations": [{ operatorBearer: [] }],
      "POST /destinations/{name}/pause": [{ operatorBearer: [] }],
      "POST /destinations/{name}/resume": [{ operatorBearer: [] }],
      "GET /stats": [{ operatorBearer: [] }],
      "POST /replay": [{ operatorBearer: [] }],
      "GET /replay/{id}": [{ operatorBearer: [] }],
      "GET /healthz": [],
      "GET /openapi.json": [],
      "GET /media/{messageId}/{n}/{name}": [],
      "GET /console": [],
      "GET /console/{file}": [],
    });
  });

  it("describes the operator event sent to operator destinations as a webhook", () => {
    const post = openApi.webhooks.operatorEvent.post;
    expect(post.requestBody.content["application/cloudevents+json"].schema.$ref).toBe(
      "#/components/schemas/OperatorEvent",
    );
  });

  it("describes the signed CloudEvent POSTed downstream as a webhook", () => {
    const post = openApi.webhooks.normalizedEvent.post;
    expect(post.parameters.map((p) => [p.in, p.name, p.required])).toEqual([
      ["header", "webhook-id", true],
      ["header", "webhook-timestamp", true],
      ["header", "webhook-signature", true],
      ["header", "traceparent", true],
    ]);
    expect(post.requestBody.content["application/cloudevents+json"].schema.$ref).toBe(
      "#/components/schemas/NormalizedEvent",
    );
  });

  it("describes the responses with schemas of exactly the types the code returns", () => {
    // Checked by tsc (npm run check): a field added to a view type without its schema fails the build.
    expectTypeOf<v.InferOutput<typeof MessageViewSchema>>().toEqualTypeOf<MessageView>();
    expectTypeOf<Omit<v.InferOutput<typeof DeadLetterPageSchema>, "items">>().toEqualTypeOf<
      Omit<DeadLetterPage, "items">
    >();
    expectTypeOf<v.InferOutput<typeof DeadLetterSchema>>().toEqualTypeOf<
      Flatten<DeadLetterPage["items"][number]>
    >();
    expectTypeOf<v.InferOutput<typeof CallbackIssueSchema>>().toEqualTypeOf<CallbackIssue>();
    expectTypeOf<v.InferOutput<typeof ConfigProblemSchema>>().toEqualTypeOf<ConfigProblem>();
    expectTypeOf<v.InferOutput<typeof DestinationHealthViewSchema>>().toEqualTypeOf<DestinationHealthView>();
    expectTypeOf<v.InferOutput<typeof DestinationViewSchema>>().toEqualTypeOf<FlattenEach<DestinationView>>();
    expectTypeOf<v.InferOutput<typeof MessageSummarySchema>>().toEqualTypeOf<MessageSummary>();
    expectTypeOf<v.InferOutput<typeof MessageSearchPageSchema>["nextCursor"]>().toEqualTypeOf<
      string | null
    >();
    expectTypeOf<v.InferOutput<typeof DeliveryStatsSchema>>().toEqualTypeOf<DeliveryStats>();
  });
});
