/**
 * Retention takes a message's media copies with it: once the message expires, the R2 objects its inbound
 * events' copies were kept in are deleted too.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadMessage, saveMessage } from "../../src/objects/message-sql.ts";
import { inboundEvent, newMessageId } from "../helpers/events.ts";
import { postCallback } from "../helpers/http.ts";
import { deletedMessage, settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

describe("media copies at retention", () => {
  it("are deleted with their message", async () => {
    const id = newMessageId("media-expiry");
    const key = `media/${id}/0/photo.png`;
    await env.MEDIA_BUCKET.put(key, new Uint8Array([1, 2, 3]), {
      httpMetadata: { contentType: "image/png" },
    });
    expect((await postCallback([inboundEvent({ id })])).status).toBe(200);
    await settle(id);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), async (_instance, state) => {
      const message = loadMessage(state.storage);
      const [record] = message.events;
      if (!record) throw new Error("expected the inbound event");
      record.media = {
        settled: true,
        round: {
          copies: [
            {
              state: "copied",
              url: "https://messaging.bandwidth.com/api/v2/users/1/media/photo.png",
              n: 0,
              name: "photo.png",
              key,
              contentType: "image/png",
              size: 3,
              sha256: "0".repeat(64),
            },
          ],
          firstAttemptAt: 1,
          rounds: 1,
        },
      };
      saveMessage(state.storage, message, 1);
    });
    // A new instance reads the rewritten message; then make it due.
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.abort("reload"),
    ).catch(() => undefined);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.storage.setAlarm(Date.now()),
    );
    await waitFor(
      async () => ((await deletedMessage(id)) ? true : undefined),
      15_000,
      "the message to expire",
    );
    expect(await env.MEDIA_BUCKET.get(key)).toBeNull();
  });
});
