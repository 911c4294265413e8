/**
 * DESTINATION_HEADERS_<NAME> through the real Worker: the destination `all` gets its extra headers on every
 * attempt (a retry included), other destinations never do, and GET /destinations never shows them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { ALL_HEADERS, DESTINATIONS } from "./bindings.ts";

const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});

const urlOf = (name: string) => DESTINATIONS.find((destination) => destination.name === name)?.url;

describe("a destination's extra headers", () => {
  it("are sent on every attempt to that destination only, retries included", async () => {
    const id = newMessageId("headers");
    used.push(id);
    const event = statusEvent("message-delivered", { id }) as unknown as { message: Record<string, unknown> };
    event.message.tag = "routing";
    await scriptDownstream(id, [503], "all.example.com");
    expect((await postCallback([event])).status).toBe(200);
    const forwards = await waitFor(async () => {
      const list = await forwardsOf(id);
      const toAll = list.filter((f) => f.url === urlOf("all"));
      const toCrm = list.filter((f) => f.url === urlOf("crm"));
      return toAll.length >= 2 && toCrm.length >= 1 ? { toAll, toCrm } : undefined;
    });
    for (const attempt of forwards.toAll) expect(attempt.headers).toMatchObject(ALL_HEADERS);
    for (const attempt of forwards.toCrm) {
      expect(attempt.headers.authorization).toBeUndefined();
      expect(attempt.headers["x-api-key"]).toBeUndefined();
    }
  });

  it("are never shown by GET /destinations", async () => {
    const response = await admin("/destinations");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"all"');
    for (const value of Object.values(ALL_HEADERS)) expect(text).not.toContain(value);
    expect(text.toLowerCase()).not.toContain("x-api-key");
  });
});
