/**
 * The consumer example in docs/consuming-events.md, run as written against events signed by a running
 * receiver: it type-checks, verifies genuine events, rejects changed ones, skips redeliveries, and the program
 * it documents (`node consumer.ts`) answers 204 and 401 as the page says.
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import type { IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DownstreamRequest } from "../../harness/downstream.ts";
import { freePort } from "../../harness/ports.ts";
import { runNode, startNode } from "../../harness/processes.ts";
import { DOWNSTREAM_SECRET } from "../../harness/receiver.ts";
import { REPO_ROOT } from "../../harness/repo.ts";
import { waitFor } from "../../harness/wait.ts";
import { newMessageId, outboundLifecycle } from "../helpers/events.ts";
import { admin, postCallback } from "./harness/client.ts";
import { useStack } from "./harness/stack.ts";

const DOC = join(REPO_ROOT, "docs/consuming-events.md");
const MARKER = "<!-- consumer-example -->";
const OTHER_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;

/** What the documented module exports, as far as the test calls it. */
interface ConsumerExample {
  verifyEvent(rawBody: Buffer | string, headers: IncomingHttpHeaders, secret: string): { id: string };
  applyOnce(event: { id: string }): "applied" | "duplicate";
}

/** The TypeScript code block right after the marker comment. */
function consumerExample(markdown: string): string {
  const after = markdown.split(MARKER)[1] ?? "";
  const block = /^\s*```ts\n([\s\S]*?)\n```/.exec(after)?.[1];
  if (!block) throw new Error(`no \`\`\`ts block after ${MARKER} in ${DOC}`);
  return block;
}

function changed(body: Buffer, from: string, to: string): Buffer {
  const text = body.toString("utf8");
  if (!text.includes(from)) throw new Error(`the body has no ${from}`);
  return Buffer.from(text.replace(from, to), "utf8");
}

/** The `name` of what `fn` throws, or undefined when it returns. */
function thrownName(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
  return undefined;
}

function webhookHeaders(request: DownstreamRequest): Record<string, string> {
  const pick = (name: string) => String(request.headers[name] ?? "");
  return {
    "content-type": pick("content-type"),
    "webhook-id": pick("webhook-id"),
    "webhook-timestamp": pick("webhook-timestamp"),
    "webhook-signature": pick("webhook-signature"),
  };
}

const current = useStack();
let dir = "";
let file = "";
let example: ConsumerExample;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bw-docs-consumer-"));
  // The example imports standardwebhooks and node types as a user's project would: from its node_modules.
  await symlink(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  await writeFile(join(dir, "package.json"), '{ "type": "module" }\n');
  file = join(dir, "consumer.ts");
  await writeFile(file, consumerExample(await readFile(DOC, "utf8")));
  example = (await import(pathToFileURL(file).href)) as ConsumerExample;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Sends a message's three status events and returns the downstream's first 2xx-answered request for each. */
async function deliveredLifecycle(label: string): Promise<{ id: string; requests: DownstreamRequest[] }> {
  const { receiver, downstream } = current();
  const id = newMessageId(`e2e-${label}`);
  for (const event of outboundLifecycle(id)) expect((await postCallback(receiver, [event])).status).toBe(200);
  const requests = await waitFor(() => {
    const delivered = downstream.deliveredFor(id);
    return delivered.length >= 3 && delivered;
  }, 20_000);
  return { id, requests: requests.slice(0, 3) };
}

describe("the consumer example in docs/consuming-events.md", () => {
  it("type-checks as strict TypeScript with only erasable syntax (what node runs from a .ts file)", async () => {
    const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
    const flags = ["--noEmit", "--strict", "--noUncheckedIndexedAccess", "--erasableSyntaxOnly"];
    const options = ["--verbatimModuleSyntax", "--skipLibCheck", "--target", "es2023", "--types", "node"];
    const modules = ["--module", "nodenext", "--moduleResolution", "nodenext"];
    const result = await runNode([tsc, ...flags, ...options, ...modules, file], { timeoutMs: 90_000 });
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 120_000);

  it("verifies events signed by the receiver and rejects a changed body, re-serialized JSON and another secret", async () => {
    const { requests } = await deliveredLifecycle("docs-verify");
    expect(requests.map((request) => request.event?.sequence)).toEqual(["1", "2", "3"]);
    for (const request of requests) {
      const event = example.verifyEvent(request.body, request.headers, DOWNSTREAM_SECRET);
      expect(event).toEqual(JSON.parse(request.body.toString("utf8")));
      expect(event.id).toBe(request.headers["webhook-id"]);
    }

    const [genuine] = requests;
    if (!genuine) throw new Error("no delivered request");
    const rejections: Array<[string, () => unknown]> = [
      [
        "a changed body",
        () =>
          example.verifyEvent(
            changed(genuine.body, '"sequence":"1"', '"sequence":"2"'),
            genuine.headers,
            DOWNSTREAM_SECRET,
          ),
      ],
      [
        "re-serialized JSON",
        () => example.verifyEvent(JSON.stringify(genuine.event, null, 2), genuine.headers, DOWNSTREAM_SECRET),
      ],
      ["another secret", () => example.verifyEvent(genuine.body, genuine.headers, OTHER_SECRET)],
      [
        "another id",
        () =>
          example.verifyEvent(
            genuine.body,
            { ...genuine.headers, "webhook-id": "evt_other" },
            DOWNSTREAM_SECRET,
          ),
      ],
    ];
    for (const [what, verify] of rejections)
      expect(thrownName(verify), what).toBe("WebhookVerificationError");
  });

  it("applies an event once and skips its redelivery, which carries the same id", async () => {
    const { receiver, downstream } = current();
    const { id, requests } = await deliveredLifecycle("docs-dedupe");
    for (const request of requests) {
      expect(example.applyOnce(example.verifyEvent(request.body, request.headers, DOWNSTREAM_SECRET))).toBe(
        "applied",
      );
    }

    const answer = await admin(receiver, "POST", `/messages/${encodeURIComponent(id)}/redeliver`, {
      all: true,
    });
    expect(answer.status).toBe(202);
    const redelivered = await waitFor(() => {
      const delivered = downstream.deliveredFor(id);
      return delivered.length >= 6 && delivered.slice(3, 6);
    }, 20_000);
    expect(redelivered.map((request) => request.headers["webhook-id"])).toEqual(
      requests.map((request) => request.headers["webhook-id"]),
    );
    for (const request of redelivered) {
      expect(example.applyOnce(example.verifyEvent(request.body, request.headers, DOWNSTREAM_SECRET))).toBe(
        "duplicate",
      );
    }
  });

  it("runs as documented (node consumer.ts): 204 for a genuine event, 401 for a changed one", async () => {
    const { requests } = await deliveredLifecycle("docs-program");
    const [genuine] = requests;
    if (!genuine) throw new Error("no delivered request");
    const port = await freePort();
    const child = startNode([file], {
      cwd: dir,
      env: { DOWNSTREAM_SECRET, PORT: String(port), HOST: "127.0.0.1" },
    });
    try {
      const post = (body: Buffer) =>
        fetch(`http://127.0.0.1:${port}/events`, {
          method: "POST",
          headers: webhookHeaders(genuine),
          body,
          signal: AbortSignal.timeout(5_000),
        });
      const accepted = await waitFor(
        () =>
          post(genuine.body).then(
            (response) => response.status,
            () => 0,
          ),
        20_000,
        { intervalMs: 200, describe: () => `node consumer.ts did not answer; its output: ${child.output()}` },
      );
      expect(accepted).toBe(204);
      const refused = await post(changed(genuine.body, '"sequence":"1"', '"sequence":"9"'));
      expect(refused.status).toBe(401);
    } finally {
      await child.stop();
    }
  });
});
