/**
 * Each message keeps its rows of the D1 index current from its own alarm, off the path of Bandwidth's 200:
 * searchable within seconds, updated as its state changes, written again after a failed write, and deleted with
 * the message at retention.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import type { AlarmStep, MessageTracker } from "../../src/objects/message-tracker.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { ageMessage, settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});

interface Summary {
  id: string;
  status: string;
  pending: number;
  dead: number;
  errorCodes: number[];
}

/** The message's summary as GET /messages finds it by its unique tag, or undefined. */
async function indexed(tag: string): Promise<Summary | undefined> {
  const body = (await (await admin(`/messages?tag=${encodeURIComponent(tag)}`)).json()) as {
    messages: Summary[];
  };
  return body.messages[0];
}

function tagged(id: string, type: string, second: number, tag: string, errorCode?: number) {
  const event = statusEvent(type, {
    id,
    time: `2024-09-14T18:20:${second}Z`,
    ...(errorCode === undefined ? {} : { errorCode }),
  }) as unknown as { message: Record<string, unknown> };
  event.message.tag = tag;
  event.message.time = new Date(Date.now() - 60_000).toISOString();
  return event;
}

describe("the D1 index of a message", () => {
  it("finds a message within seconds and follows its state", async () => {
    const id = newMessageId("indexed");
    const tag = `tag-${id}`;
    used.push(id);
    await postCallback([tagged(id, "message-sending", 10, tag)]);
    const first = await waitFor(async () =>
      (await indexed(tag))?.status === "sending" ? indexed(tag) : undefined,
    );
    expect(first).toMatchObject({ id, status: "sending", dead: 0 });
    await postCallback([tagged(id, "message-failed", 12, tag, 4720)]);
    const failed = await waitFor(async () =>
      (await indexed(tag))?.status === "failed" ? indexed(tag) : undefined,
    );
    expect(failed).toMatchObject({ status: "failed", errorCodes: [4720], pending: 0 });
  });

  it("writes the rows again after a failed index write", async () => {
    const id = newMessageId("index-retry");
    const tag = `tag-${id}`;
    used.push(id);
    let failures = 0;
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (instance: MessageTracker) => {
      (instance as unknown as { faultPoint(step: AlarmStep): void }).faultPoint = (step) => {
        if (step === "index" && failures === 0) {
          failures += 1;
          throw new Error("injected D1 failure");
        }
      };
    });
    await postCallback([tagged(id, "message-delivered", 10, tag)]);
    const summary = await waitFor(async () => indexed(tag), 30_000, "the retried index write");
    expect(failures).toBe(1);
    expect(summary).toMatchObject({ id, status: "delivered" });
  });

  it("is deleted with the message at retention", async () => {
    const id = newMessageId("index-expiry");
    const tag = `tag-${id}`;
    await postCallback([tagged(id, "message-delivered", 10, tag)]);
    await waitFor(async () => indexed(tag));
    await settle(id);
    await ageMessage(id, 1);
    await waitFor(
      async () => ((await indexed(tag)) === undefined ? true : undefined),
      15_000,
      "the rows to go",
    );
  });
});
