import { env, exports } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import openApi from "../../src/console/openapi.json";
import { destinationSecretSetting } from "../../src/forward/destinations.ts";
import { app } from "../../src/index.ts";
import { writeMessage } from "../../src/index-db/write.ts";
import { COMPONENT_SCHEMAS, type ComponentName } from "../../tools/openapi/components.ts";
import { TEST_ADMIN_TOKEN, TEST_SECRET } from "../helpers/bindings.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { outboundEvents, rowsOf } from "../helpers/index-messages.ts";
import { settle } from "../helpers/settle.ts";

const BASE = "https://receiver.test";

interface ResponseObject {
  $ref?: string;
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema: { $ref: string } }>;
}

const doc = openApi as unknown as {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { responses: Record<string, ResponseObject> };
};

/**
 * Asserts that `response` is one the document promises for `method path`: a documented status, its required
 * headers, and a JSON body that parses with the component's valibot schema. Returns the body.
 */
async function expectDocumented(response: Response, method: string, path: string): Promise<unknown> {
  const responses = doc.paths[path]?.[method]?.responses ?? {};
  const status = String(response.status);
  let documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  expect(documented, `${method.toUpperCase()} ${path} does not document ${status}`).toBeDefined();
  if (documented?.$ref) documented = doc.components.responses[documented.$ref.split("/").pop() ?? ""];
  for (const [name, header] of Object.entries(documented?.headers ?? {})) {
    if (header.required) expect(response.headers.get(name), `${name} on ${status}`).not.toBeNull();
  }
  const schemaRef = documented?.content?.["application/json"]?.schema.$ref;
  if (!schemaRef) return undefined;
  expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
  const name = schemaRef.split("/").pop() as ComponentName;
  const body: unknown = await response.json();
  const parsed = v.safeParse(COMPONENT_SCHEMAS[name], body);
  expect(parsed.issues?.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`) ?? []).toEqual([]);
  return body;
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { headers });
}

describe("GET /openapi.json", () => {
  it("serves the committed document as JSON, without credentials", async () => {
    const response = await get("/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
    expect(await response.json()).toEqual(openApi);
  });
});

describe("the Worker's answers, checked against the committed OpenAPI document", () => {
  it("callbacks: stored, rejected, challenged, wrong media type and too large are documented responses", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    const path = "/callbacks/messaging";
    expect(await expectDocumented(await postCallback([event]), "post", path)).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    const heldId = `${id}-held`;
    const invalid = { ...event, message: { ...event.message, id: heldId, segmentCount: "1" } };
    const held = await postCallback([invalid]);
    expect(held.status).toBe(200);
    expect(await expectDocumented(held, "post", path)).toMatchObject({
      quarantined: 1,
      issues: [{ index: 0, path: "message.segmentCount" }],
    });
    const unusable = { ...event, message: { ...event.message, id: "" } };
    const rejected = await postCallback([unusable]);
    expect(rejected.status).toBe(400);
    expect(await expectDocumented(rejected, "post", path)).toMatchObject({
      issues: [{ index: 0, path: "message.id" }],
    });
    const listing = await admin("/quarantine?limit=5");
    await expectDocumented(listing, "get", "/quarantine");
    const release = await admin("/quarantine/release", {
      method: "POST",
      body: JSON.stringify({ messageId: heldId }),
    });
    expect(release.status).toBe(200);
    await expectDocumented(release, "post", "/quarantine/release");
    const challenged = await postCallback([event], { authorization: "" });
    expect(challenged.status).toBe(401);
    await expectDocumented(challenged, "post", path);
    const wrongType = await postCallback([event], { "content-type": "text/plain" });
    expect(wrongType.status).toBe(415);
    await expectDocumented(wrongType, "post", path);
    const tooLarge = await postCallback(`[${" ".repeat(1024 * 1024)}]`);
    expect(tooLarge.status).toBe(413);
    await expectDocumented(tooLarge, "post", path);
    await settle(id, heldId);
  });

  it("operator API: message view, redelivery, dead letters, 401 and 404 are documented responses", async () => {
    const event = statusEvent("message-sent");
    const id = event.message.id;
    expect((await postCallback([event])).status).toBe(200);
    const view = await admin(`/messages/${id}`);
    expect(view.status).toBe(200);
    expect(await expectDocumented(view, "get", "/messages/{id}")).toMatchObject({ id, status: "sent" });
    const unknown = await admin(`/messages/${newMessageId()}`);
    expect(unknown.status).toBe(404);
    await expectDocumented(unknown, "get", "/messages/{id}");
    const noToken = await get(`/messages/${id}`);
    expect(noToken.status).toBe(401);
    await expectDocumented(noToken, "get", "/messages/{id}");
    const redeliver = await admin(`/messages/${id}/redeliver`, { method: "POST" });
    expect(redeliver.status).toBe(202);
    await expectDocumented(redeliver, "post", "/messages/{id}/redeliver");
    const badBody = await admin(`/messages/${id}/redeliver`, { method: "POST", body: '{"all":"yes"}' });
    expect(badBody.status).toBe(400);
    await expectDocumented(badBody, "post", "/messages/{id}/redeliver");
    const page = await admin("/dead-letters");
    expect(page.status).toBe(200);
    await expectDocumented(page, "get", "/dead-letters");
    const bulk = await admin("/dead-letters/redeliver", { method: "POST", body: '{"limit":1}' });
    expect(bulk.status).toBe(202);
    await expectDocumented(bulk, "post", "/dead-letters/redeliver");
    await settle(id);
  });

  it("destinations: list, pause, resume, 401 and 404 are documented responses", async () => {
    const list = await admin("/destinations");
    expect(list.status).toBe(200);
    expect(await expectDocumented(list, "get", "/destinations")).toMatchObject({
      destinations: [{ name: "default", kind: "http" }],
    });
    const noToken = await get("/destinations");
    expect(noToken.status).toBe(401);
    await expectDocumented(noToken, "get", "/destinations");
    // Pausing happens under a configuration of its own, so that no other test meets a paused destination.
    const name = `doc-${Date.now().toString(36)}`;
    const bindings = {
      ...env,
      DESTINATIONS: JSON.stringify([
        { name, url: "https://crm.example.com/hooks", filter: { events: ["failed"], errorCodes: [4720] } },
        { name: `${name}-q`, queue: "EVENTS_QUEUE", filter: { operator: true } },
      ]),
      [destinationSecretSetting(name)]: TEST_SECRET,
      EVENTS_QUEUE: { send: async () => {}, sendBatch: async () => {} },
    } as unknown as Env;
    const operator = (path: string, method = "GET") =>
      Promise.resolve(
        app.request(path, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }, bindings),
      );
    for (const action of ["pause", "resume"]) {
      const path = `/destinations/{name}/${action}`;
      const changed = await operator(`/destinations/${name}/${action}`, "POST");
      expect(changed.status).toBe(202);
      await expectDocumented(changed, "post", path);
      const unknown = await operator(`/destinations/${name}-unknown/${action}`, "POST");
      expect(unknown.status).toBe(404);
      await expectDocumented(unknown, "post", path);
    }
    const listed = await operator("/destinations");
    expect(await expectDocumented(listed, "get", "/destinations")).toMatchObject({
      destinations: [
        { name, kind: "http", host: "crm.example.com" },
        { name: `${name}-q`, kind: "queue" },
      ],
    });
  });

  it("message search and statistics: pages, figures, 400, 401 are documented responses", async () => {
    const app = `app-openapi-${newMessageId()}`;
    for (const [n, status] of (["delivered", "failed"] as const).entries()) {
      const events = outboundEvents(
        {
          id: `${app}-${n}`,
          time: new Date(Date.now() - 60_000 * (n + 1)).toISOString(),
          applicationId: app,
        },
        {
          "+15550003000": { status, errorCode: status === "failed" ? 4720 : undefined, carrier: "T-Mobile" },
        },
      );
      await writeMessage(env.MESSAGE_INDEX, rowsOf(events));
    }
    const first = await admin(`/messages?applicationId=${app}&limit=1`);
    expect(first.status).toBe(200);
    const page = (await expectDocumented(first, "get", "/messages")) as { nextCursor: string };
    expect(page.nextCursor).toEqual(expect.any(String));
    const last = await admin(`/messages?applicationId=${app}&limit=1&cursor=${page.nextCursor}`);
    expect(await expectDocumented(last, "get", "/messages")).toMatchObject({ nextCursor: null });
    const bad = await admin("/messages?limit=0");
    expect(bad.status).toBe(400);
    await expectDocumented(bad, "get", "/messages");
    const noToken = await get("/messages");
    expect(noToken.status).toBe(401);
    await expectDocumented(noToken, "get", "/messages");
    for (const by of ["", "&by=hour", "&by=day", "&by=errorCode", "&by=carrier", "&by=applicationId"]) {
      const figures = await admin(`/stats?applicationId=${app}${by}`);
      expect(figures.status, by).toBe(200);
      expect(await expectDocumented(figures, "get", "/stats")).toMatchObject({ outbound: { recipients: 2 } });
    }
    const badStats = await admin("/stats?by=week");
    expect(badStats.status).toBe(400);
    await expectDocumented(badStats, "get", "/stats");
  });

  it("GET /healthz answers the documented Health body", async () => {
    const response = await get("/healthz");
    expect(response.status).toBe(200);
    expect(await expectDocumented(response, "get", "/healthz")).toMatchObject({ configured: true });
  });

  it("GET /dead-letters enforces the documented bounds of limit and rejects a foreign cursor", async () => {
    const { minimum, maximum } = openApi.components.schemas.DeadLetterLimit;
    for (const limit of [minimum, maximum]) {
      expect((await admin(`/dead-letters?limit=${limit}`)).status, `limit=${limit}`).toBe(200);
    }
    for (const limit of [minimum - 1, maximum + 1, 1.5]) {
      const response = await admin(`/dead-letters?limit=${limit}`);
      expect(response.status, `limit=${limit}`).toBe(400);
      await expectDocumented(response, "get", "/dead-letters");
    }
    const foreign = await admin("/dead-letters?cursor=not-a-cursor");
    expect(foreign.status).toBe(400);
    await expectDocumented(foreign, "get", "/dead-letters");
  });
});
