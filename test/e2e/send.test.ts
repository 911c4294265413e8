/**
 * `npm run send` (scripts/send.ts) as a user runs it, against a running receiver and a real downstream:
 * every sample accepted and forwarded signed, wrong credentials refused, a quick load with --count, one of
 * Bandwidth's official examples with --file, and a usage mistake.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runNode } from "../../harness/processes.ts";
import { CALLBACK_CREDENTIALS, type Receiver } from "../../harness/receiver.ts";
import { REPO_ROOT } from "../../harness/repo.ts";
import { waitFor } from "../../harness/wait.ts";
import { eventName, INBOUND_EVENT_TYPES, STATUS_EVENT_TYPES } from "../../src/bandwidth/event-types.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack();

const OFFICIAL_EXAMPLE = resolve(
  REPO_ROOT,
  "test/fixtures/bandwidth-official/openapi-message-delivered-1.json",
);

/** The script's exit code and output. */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs scripts/send.ts with Node 24 (the Node running the tests) and waits, at most 90 s, for it to exit. */
async function send(args: readonly string[]): Promise<Run> {
  const run = await runNode(["scripts/send.ts", ...args], { timeoutMs: 90_000, env: { NO_COLOR: "1" } });
  return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}

function target(receiver: Receiver, password = CALLBACK_CREDENTIALS.password): string[] {
  const url = `${receiver.baseUrl}/callbacks/messaging`;
  return ["--url", url, "--username", CALLBACK_CREDENTIALS.username, "--password", password];
}

/** The per-callback lines of the output: `[ 3/19] <type> <message id> <recipient> <answer>`. */
function callbackLines(stdout: string): { type: string; messageId: string; line: string }[] {
  return stdout
    .split("\n")
    .filter((line) => /^\[\s*\d+\/\d+\] /.test(line))
    .map((line) => {
      const [, type = "", messageId = ""] = line.replace(/^\[\s*/, "[").split(/\s+/);
      return { type, messageId, line };
    });
}

describe("npm run send", () => {
  it("sends one of each known event type, a group message and a failure; all accepted and forwarded signed", async () => {
    const { receiver, downstream } = current();
    const run = await send(target(receiver));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = callbackLines(run.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(STATUS_EVENT_TYPES.length + INBOUND_EVENT_TYPES.length);
    for (const { line } of lines) expect(line).toMatch(/ 200 accepted 1, duplicates 0/);
    expect(run.stdout).toContain(`${lines.length} callbacks: ${lines.length} accepted, 0 failed`);
    expect(new Set(lines.map((l) => l.type))).toEqual(
      new Set([...STATUS_EVENT_TYPES, ...INBOUND_EVENT_TYPES]),
    );
    expect(run.stdout).not.toMatch(/\+\d{8,}/);

    // Every callback reaches the downstream as its CloudEvent type, for its message, signed.
    const expected = lines.map(
      ({ type, messageId }) => `${messageId} com.bandwidth.message.${eventName(type)}`,
    );
    const received = () =>
      downstream
        .requests()
        .filter((r) => r.answered === 200)
        .map((r) => `${r.event?.subject} ${r.event?.type}`);
    await waitFor(() => expected.every((key) => received().includes(key)), 30_000, {
      describe: () => `missing: ${expected.filter((key) => !received().includes(key)).join(", ")}`,
    });
    expect(downstream.requests().every((r) => r.signature === "ok")).toBe(true);

    // The group message: a delivered event for each of its recipients.
    const group = downstream
      .requests()
      .find((r) => Array.isArray(r.event?.data.to) && r.event.data.to.length > 1);
    const groupId = group?.event?.subject ?? "";
    expect(lines.map((l) => l.messageId)).toContain(groupId);
    const deliveredTo = downstream
      .deliveredFor(groupId)
      .filter((r) => r.event?.type === "com.bandwidth.message.delivered")
      .map((r) => r.event?.data.recipient);
    expect(new Set(deliveredTo)).toEqual(new Set(group?.event?.data.to as string[]));

    // The failure carries its error code downstream.
    const failed = downstream.requests().find((r) => r.event?.type === "com.bandwidth.message.failed");
    expect(failed?.event?.data).toMatchObject({ status: "failed", errorCode: expect.any(Number) });
  });

  it("exits non-zero and shows the 401 when the password is wrong", async () => {
    const run = await send(target(current().receiver, "not-the-password"));
    expect(run.code).toBe(1);
    const lines = callbackLines(run.stdout);
    expect(lines.length).toBeGreaterThan(0);
    for (const { line } of lines) expect(line).toContain("401 NOT ACCEPTED");
  });

  it("with --count 20 sends 40 callbacks (sending and delivered per message), all accepted", async () => {
    const run = await send([...target(current().receiver), "--count", "20", "--concurrency", "4"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/40 callbacks in [\d.]+ s \([\d.]+ requests\/s\): 40 accepted, 0 failed/);
    expect(run.stderr).toContain("progress 40/40");
  });

  it("with --file sends one of Bandwidth's official examples (a bare event object) and it is accepted", async () => {
    const { receiver, downstream } = current();
    const run = await send([...target(receiver), "--file", OFFICIAL_EXAMPLE]);
    expect(run.code).toBe(0);
    const [line] = callbackLines(run.stdout);
    expect(line?.type).toBe("message-delivered");
    expect(line?.line).toMatch(/ 200 accepted 1, duplicates 0/);
    const delivered = await waitFor(() => downstream.deliveredFor(line?.messageId ?? "")[0], 30_000);
    expect(delivered.signature).toBe("ok");
  });

  it("prints the usage and exits 2 for an unknown option", async () => {
    const run = await send(["--no-such-option"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: npm run send");
  });
});
