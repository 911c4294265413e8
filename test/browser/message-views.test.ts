/**
 * The console's views of messages against a real receiver and downstream: a message's timeline with its
 * recipients and forwarding, markup from Bandwidth shown as text and never run, and dead letters redelivered
 * from the page (the downstream refuses with 400 first, then accepts, and really receives the redelivery).
 */
import { describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { getMessage } from "../e2e/harness/api.ts";
import {
  expectListedAsDead,
  expectRedelivered,
  refusingUntilFixed,
  sendUntilDead,
} from "../e2e/harness/dead-letter-steps.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { expectInert, expectTokenOnlyInHeaders, openSignedIn, useConsoleTab } from "./harness/console.ts";
import { post, settledMessage, withMessage, XSS } from "./harness/messages.ts";

const stack = useStack();
const tab = useConsoleTab(stack);

describe("a message's timeline", () => {
  it("shows each recipient's status, the events in time order and their forwarding", async () => {
    const id = newMessageId("console-timeline");
    const recipients = ["+15550000001", "+15550000002", "+15550000003"];
    const group = { id, recipients };
    await post(stack(), [
      statusEvent("message-sending", { ...group, to: recipients[0], step: 0 }),
      statusEvent("message-delivered", {
        ...group,
        to: recipients[0],
        step: 2,
        description: "Message delivered to carrier.",
      }),
      statusEvent("message-failed", {
        ...group,
        to: recipients[1],
        step: 3,
        errorCode: 4720,
        description: "Carrier rejected.",
      }),
      statusEvent("message-sent", { ...group, to: recipients[2], step: 1 }),
    ]);
    await settledMessage(stack(), id, 4);

    expect(await openSignedIn(tab(), `#/messages/${encodeURIComponent(id)}`)).toBe("message");
    expect(await tab().text("[data-testid=message-status]")).toBe("mixed");
    const rows = (await tab().cells("[data-testid=recipient-row]")).map((cells) => [
      cells[0],
      cells[1],
      cells[2],
      cells[3],
    ]);
    expect(await tab().attributes("[data-testid=recipient-row]", "data-status")).toEqual([
      "delivered",
      "failed",
      "sent",
    ]);
    expect(rows).toEqual([
      [recipients[0], "delivered", "", "Message delivered to carrier."],
      [recipients[1], "failed", "4720 (rejected by the carrier)", "Carrier rejected."],
      [recipients[2], "sent", "", "ok"],
    ]);
    const events = (await tab().cells("[data-testid=event-row]")).map((cells) => [
      cells[2],
      cells[3],
      cells[7],
    ]);
    expect(events).toEqual([
      ["message-sending", recipients[0], "default: delivered, 1 attempt(s)"],
      ["message-sent", recipients[2], "default: delivered, 1 attempt(s)"],
      ["message-delivered", recipients[0], "default: delivered, 1 attempt(s)"],
      ["message-failed", recipients[1], "default: delivered, 1 attempt(s)"],
    ]);
    // Each event's trace id, as the API shows it.
    const traceIds = (await getMessage(stack().receiver, id))?.events.map((event) => event.traceId) ?? [];
    expect(traceIds).toHaveLength(4);
    for (const traceId of traceIds) expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((await tab().cells("[data-testid=event-row]")).map((cells) => cells[8])).toEqual(traceIds);
    await tab().screenshot("timeline");
    expectTokenOnlyInHeaders(tab());
  });

  it("shows markup from Bandwidth as its characters and runs none of it", async () => {
    const id = newMessageId("console-xss");
    const hostile = withMessage(
      statusEvent("message-failed", { id, to: XSS.svg, errorCode: 4432, description: XSS.img }),
      { from: XSS.script, text: XSS.img, tag: XSS.svg, to: [XSS.svg] },
    );
    await post(stack(), [hostile]);
    await settledMessage(stack(), id, 1);

    expect(await openSignedIn(tab(), `#/messages/${encodeURIComponent(id)}`)).toBe("message");
    expect(await tab().text("[data-testid=message-from]")).toBe(XSS.script);
    expect(await tab().text("[data-testid=message-to]")).toBe(XSS.svg);
    expect(await tab().attributes("[data-testid=recipient-row]", "data-recipient")).toEqual([XSS.svg]);
    const [cells = []] = await tab().cells("[data-testid=recipient-row]");
    expect(cells.slice(0, 4)).toEqual([XSS.svg, "failed", "4432 (client error)", XSS.img]);
    expect(await tab().texts("[data-testid=event-row] td:nth-child(6)")).toEqual([XSS.img]);
    // What a person sees: the characters themselves.
    const visible = await tab().page.evaluate(() => document.body.innerText);
    for (const payload of [XSS.img, XSS.script, XSS.svg]) expect(visible).toContain(payload);
    await expectInert(tab());
  });
});

describe("dead letters", () => {
  it("are redelivered from the dead-letter list: the downstream refused with 400, then receives them", async () => {
    const id = newMessageId("console-dead");
    const downstream = refusingUntilFixed();
    stack().downstream.behave(id, downstream.behaviour);
    const refused = await sendUntilDead(stack(), id);
    await expectListedAsDead(stack(), id, refused);

    expect(await openSignedIn(tab(), "#/dead-letters")).toBe("dead-letters");
    const row = `[data-testid=dead-letter-row][data-message-id="${id}"]`;
    const listed = (await tab().cells(row)).map((cells) => [cells[3], cells[6]]);
    expect(listed).toHaveLength(2);
    for (const [, lastError] of listed) expect(lastError).toContain("400");
    downstream.fix();
    await tab().clickAndSettle(`${row} [data-testid=dead-letter-redeliver]`);
    // With destinations (per-destination dead letters), the row's redelivery names its destination.
    expect(await tab().text("[data-testid=action-result]")).toMatch(
      new RegExp(`^Redelivery started: 2 event\\(s\\) of ${id}( to default)?\\.$`),
    );
    await expectRedelivered(stack(), id, refused);
    await waitFor(async () => {
      await tab().clickAndSettle("[data-testid=refresh]");
      return (await tab().page.$$(row)).length === 0;
    }, 15_000);
    expectTokenOnlyInHeaders(tab());
  });

  it("are redelivered in bulk from the list, and a message's dead events from its timeline", async () => {
    const bulk = newMessageId("console-dead-bulk");
    const single = newMessageId("console-dead-timeline");
    const refusals = [refusingUntilFixed(), refusingUntilFixed()] as const;
    stack().downstream.behave(bulk, refusals[0].behaviour);
    stack().downstream.behave(single, refusals[1].behaviour);
    const refusedBulk = await sendUntilDead(stack(), bulk);
    const refusedSingle = await sendUntilDead(stack(), single);
    await expectListedAsDead(stack(), bulk, refusedBulk);
    for (const refusal of refusals) refusal.fix();

    await openSignedIn(tab(), `#/messages/${encodeURIComponent(single)}`);
    expect(await tab().texts("[data-testid=delivery]")).toEqual([
      "default: dead, 1 attempt(s) — HTTP 400",
      "default: dead, 1 attempt(s) — HTTP 400",
    ]);
    await tab().clickAndSettle("[data-testid=redeliver-dead]");
    expect(await tab().text("[data-testid=action-result]")).toBe(
      `Redelivery started: 2 event(s) of ${single}.`,
    );
    await expectRedelivered(stack(), single, refusedSingle);

    await tab().navigate("#/dead-letters");
    await tab().clickAndSettle("[data-testid=dead-letters-redeliver-all]");
    expect(await tab().text("[data-testid=action-result]")).toMatch(
      /^Redelivery started: [1-9]\d* event\(s\) of [1-9]\d* message\(s\)\.$/,
    );
    await expectRedelivered(stack(), bulk, refusedBulk);
    const view = await getMessage(stack().receiver, bulk);
    expect(view?.events.map((event) => event.forwarding.default?.state)).toEqual(["delivered", "delivered"]);
  });
});
