/**
 * The console's views over the message index and the destinations: the last 24 hours (GET /stats), message
 * search (GET /messages) and destinations with pause and resume (GET /destinations, POST …/pause|resume).
 * Those endpoints come from other branches (index-db, dest-config): on a branch without them these tests fail
 * where the page reports the endpoint's 404.
 */
import { describe, expect, it } from "vitest";
import { sleep, waitFor } from "../../harness/wait.ts";
import { admin } from "../e2e/harness/client.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { expectInert, expectTokenOnlyInHeaders, openSignedIn, useConsoleTab } from "./harness/console.ts";
import { post, settledMessage, withMessage, XSS } from "./harness/messages.ts";

const stack = useStack();
const tab = useConsoleTab(stack);

/** An outbound message of now (so that it counts in the last 24 hours) with `events` for one recipient. */
function recentMessage(id: string, types: string[], options: { errorCode?: number; tag?: string } = {}) {
  const start = Date.now() - 60_000;
  return types.map((type, step) =>
    withMessage(
      statusEvent(type, {
        id,
        time: new Date(start + 1_000 * (step + 1)).toISOString(),
        ...(type === "message-failed" && options.errorCode !== undefined
          ? { errorCode: options.errorCode }
          : {}),
      }),
      { time: new Date(start).toISOString(), ...(options.tag === undefined ? {} : { tag: options.tag }) },
    ),
  );
}

const delivered = newMessageId("console-index-delivered");
const failed = newMessageId("console-index-failed");
const tagged = newMessageId("console-index-tagged");
let posted = false;

/** Posts the three messages once, and waits until the index lists all three. */
async function messagesIndexed(): Promise<void> {
  if (!posted) {
    posted = true;
    await post(stack(), [
      ...recentMessage(delivered, ["message-sending", "message-delivered"]),
      ...recentMessage(failed, ["message-sending", "message-failed"], { errorCode: 4720 }),
      ...recentMessage(tagged, ["message-delivered"], { tag: XSS.svg }),
    ]);
    await settledMessage(stack(), failed, 2);
  }
  const probe = await admin(stack().receiver, "GET", "/messages?limit=1");
  if (probe.status === 404)
    throw new Error("GET /messages answered 404: this receiver has no message index yet");
  await waitFor(
    async () => {
      const response = await admin(stack().receiver, "GET", "/messages?limit=500");
      if (response.status !== 200) throw new Error(`GET /messages answered ${response.status}`);
      const ids = (response.body as { messages: Array<{ id: string }> }).messages.map((m) => m.id);
      return [delivered, failed, tagged].every((id) => ids.includes(id));
    },
    20_000,
    "the index to list the three messages",
  );
}

describe("the last 24 hours", () => {
  it("shows the delivery rate, counts by status, top error codes with their meaning and a bar per hour", async () => {
    await messagesIndexed();
    expect(await openSignedIn(tab(), "#/stats")).toBe("overview");
    expect(await tab().text("[data-testid=error]")).toBeUndefined();
    expect(await tab().text("[data-testid=delivery-rate]")).toMatch(/^\d{1,3}\.\d %$/);
    const counts = new Map(
      (await tab().cells("[data-testid=status-count]")).map(([status, count]) => [status, Number(count)]),
    );
    expect(counts.get("delivered")).toBeGreaterThanOrEqual(2);
    expect(counts.get("failed")).toBeGreaterThanOrEqual(1);
    const errors = await tab().cells("[data-testid=top-error]");
    const carrier = errors.find((cells) => cells[0] === "4720");
    expect(carrier?.[1]).toBe("1");
    expect(carrier?.[3]?.length).toBeGreaterThan(5);
    const totals = (await tab().attributes("[data-testid=hour-bar]", "data-total")).map(Number);
    expect(totals.length).toBeGreaterThanOrEqual(24);
    expect(totals.length).toBeLessThanOrEqual(25);
    expect(totals.some((total) => total >= 3)).toBe(true);
    await tab().screenshot("overview");
    expectTokenOnlyInHeaders(tab());
  });
});

describe("message search", () => {
  it("finds the failed message by status and opens its timeline with its recipient", async () => {
    await messagesIndexed();
    expect(await openSignedIn(tab(), "#/messages")).toBe("search");
    await tab().page.select("[data-testid=filter-status]", "failed");
    await tab().clickAndSettle("[data-testid=search-submit]");
    expect(tab().page.url()).toMatch(/#\/messages\?status=failed$/);
    const row = `[data-testid=search-row][data-message-id="${failed}"]`;
    const [cells = []] = await tab().cells(row);
    expect(cells[5]).toBe("failed");
    expect(cells[6]).toBe("4720");
    expect(await tab().attributes("[data-testid=search-row]", "data-status")).not.toContain("delivered");
    await tab().clickAndSettle(`${row} [data-testid=search-row-link]`);
    expect(await tab().text("[data-testid=message-id]")).toBe(failed);
    expect(await tab().attributes("[data-testid=recipient-row]", "data-status")).toEqual(["failed"]);
    expectTokenOnlyInHeaders(tab());
  });

  it("shows a tag made of markup as its characters, found by that tag", async () => {
    await messagesIndexed();
    await openSignedIn(tab(), "#/messages");
    await tab().page.type("[data-testid=filter-tag]", XSS.svg);
    await tab().clickAndSettle("[data-testid=search-submit]");
    expect(await tab().attributes("[data-testid=search-row]", "data-message-id")).toEqual([tagged]);
    const [cells = []] = await tab().cells("[data-testid=search-row]");
    expect(cells[7]).toBe(XSS.svg);
    await expectInert(tab());
  });
});

describe("destinations", () => {
  it("shows each destination's health, and pauses and resumes one: its events wait, then go", async () => {
    expect(await openSignedIn(tab(), "#/destinations")).toBe("destinations");
    expect(await tab().text("[data-testid=error]")).toBeUndefined();
    const row = "[data-testid=destination-row][data-destination=default]";
    expect(await tab().attributes(row, "data-health")).toEqual(["healthy"]);
    await tab().clickAndSettle(`${row} [data-testid=destination-pause]`);
    expect(await tab().text("[data-testid=action-result]")).toBe(
      "Paused default: its events wait in their outboxes.",
    );
    expect(await tab().attributes(row, "data-health")).toEqual(["paused"]);

    // The receiver's isolates remember a pause for up to 5 s.
    await sleep(6_000);
    const id = newMessageId("console-paused");
    const tag = `paused-${id}`;
    await post(stack(), [withMessage(statusEvent("message-sending", { id }), { tag })]);
    // The positive signal that the message's object ran past its drain: its index row, written by its alarm
    // after the drain (the inline drain at ingest came first), shows the event still pending.
    await waitFor(
      async () => {
        const page = (await admin(stack().receiver, "GET", `/messages?tag=${encodeURIComponent(tag)}`))
          .body as {
          messages: Array<{ id: string; pending: number }>;
        };
        return page.messages.some((message) => message.id === id && message.pending === 1);
      },
      20_000,
      "the paused message's index row",
    );
    expect(stack().downstream.forSubject(id)).toEqual([]);

    await tab().clickAndSettle(`${row} [data-testid=destination-resume]`);
    expect(await tab().attributes(row, "data-health")).toEqual(["healthy"]);
    await waitFor(() => stack().downstream.deliveredFor(id).length === 1, 20_000, "the paused event to go");
    expectTokenOnlyInHeaders(tab());
  });
});
