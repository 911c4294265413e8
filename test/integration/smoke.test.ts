import { describe, expect, it } from "vitest";
import { statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";

describe("smoke", () => {
  it("accepts a delivered event and shows it", async () => {
    const event = statusEvent("message-delivered");
    const response = await postCallback([event]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const view = await admin(`/messages/${event.message.id}`);
    expect(view.status).toBe(200);
    const body = (await view.json()) as { status: string };
    expect(body.status).toBe("delivered");
  });
});
