/**
 * The console's views read the answers of the endpoints being built in other branches exactly as those
 * branches shape them (GET /stats, GET /messages, GET /destinations and its pause, forwarding and dead letters
 * per destination), and show a 5xx plainly. The answers are stubbed in the browser; the page comes from the
 * real receiver. index-views.test.ts runs the same views against the real endpoints once they are merged.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../../harness/receiver.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { expectInert, useConsoleTab } from "./harness/console.ts";
import { XSS } from "./harness/messages.ts";
import { stubApi } from "./harness/stub-api.ts";

const stack = useStack();
const tab = useConsoleTab(stack);

const HOUR = 3_600_000;

/** GET /stats?by=hour as the index-db branch answers it: 24 hourly groups, totals, failures with meanings. */
function statsAnswer() {
  const until = Date.now();
  const first = Math.floor((until - 24 * HOUR) / HOUR) * HOUR;
  const counts = (delivered: number, failed: number, sent: number) => ({
    sending: 0,
    sent,
    delivered,
    failed,
    read: 0,
    unknown: 0,
  });
  const outbound = (delivered: number, failed: number, sent: number) => ({
    recipients: delivered + failed + sent,
    counts: counts(delivered, failed, sent),
    noReceipt: 0,
    deliveryRate: delivered + failed > 0 ? delivered / (delivered + failed) : null,
    failures: [],
    timeToDelivery: { count: delivered, p50Ms: null, p95Ms: null },
  });
  return {
    since: new Date(until - 24 * HOUR).toISOString(),
    until: new Date(until).toISOString(),
    by: "hour",
    outbound: {
      ...outbound(7, 2, 1),
      failures: [
        { errorCode: 4720, count: 1, class: "carrier-rejected", meaning: `Carrier rejected it ${XSS.img}` },
        { errorCode: 9902, count: 1, class: "no-receipt", meaning: "No delivery receipt within about 2 h" },
      ],
      timeToDelivery: { count: 7, p50Ms: 1_800, p95Ms: 4_200 },
    },
    inbound: { messages: 3 },
    groups: Array.from({ length: 25 }, (_, index) => ({
      key: new Date(first + index * HOUR).toISOString(),
      outbound: index === 20 ? outbound(7, 2, 1) : outbound(0, 0, 0),
      inbound: { messages: index === 21 ? 3 : 0 },
    })),
  };
}

/** One summary of GET /messages as the index-db branch answers it. */
function summary(id: string, status: string, errorCodes: number[]) {
  return {
    id,
    direction: "outbound",
    from: "+15552221111",
    to: ["+15554443333"],
    applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
    tag: XSS.svg,
    status,
    errorCodes,
    segmentCount: 1,
    time: "2026-11-30T08:00:00.000Z",
    updatedAt: "2026-11-30T08:00:05.000Z",
    pending: 0,
    dead: 1,
    quarantined: 0,
  };
}

describe("views over the documented shapes", () => {
  it("shows GET /stats: rate, counts, top error codes with their meaning as text, a bar per hour", async () => {
    await tab().load();
    await stubApi(tab(), (method, path) =>
      method === "GET" && path === "/stats?by=hour" ? { status: 200, body: statsAnswer() } : undefined,
    );
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("overview");
    expect(await tab().text("[data-testid=delivery-rate]")).toBe("77.8 %");
    expect(await tab().text("[data-testid=recipient-count]")).toBe("10");
    expect(await tab().text("[data-testid=inbound-count]")).toBe("3");
    expect(await tab().text("[data-testid=delivery-p50]")).toBe("1.8 s");
    expect(await tab().text("[data-testid=delivery-p95]")).toBe("4.2 s");
    expect((await tab().cells("[data-testid=status-count]")).map((cells) => cells.join("="))).toEqual([
      "sending=0",
      "sent=1",
      "delivered=7",
      "failed=2",
      "read=0",
      "unknown=0",
    ]);
    expect((await tab().cells("[data-testid=top-error]")).map((cells) => cells.slice(0, 4))).toEqual([
      ["4720", "1", "carrier-rejected", `Carrier rejected it ${XSS.img}`],
      ["9902", "1", "no-receipt", "No delivery receipt within about 2 h"],
    ]);
    const totals = (await tab().attributes("[data-testid=hour-bar]", "data-total")).map(Number);
    expect(totals).toHaveLength(25);
    expect(totals[20]).toBe(10);
    expect(totals[21]).toBe(3);
    await expectInert(tab());
    await tab().screenshot("overview-documented-shape");
  });

  it("shows a 503 of GET /stats plainly", async () => {
    await tab().load();
    await stubApi(tab(), (_method, path) =>
      path.startsWith("/stats")
        ? { status: 503, body: { error: "message index unavailable; retry later" } }
        : undefined,
    );
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("overview");
    expect(await tab().text("[data-testid=error]")).toBe(
      "GET /stats answered 503: message index unavailable; retry later",
    );
  });

  it("searches GET /messages with the filters in the route and pages with nextCursor", async () => {
    await tab().load("#/messages");
    const stubbed = await stubApi(tab(), (method, path) => {
      if (method !== "GET" || !path.startsWith("/messages?")) return undefined;
      const query = new URLSearchParams(path.slice("/messages?".length));
      if (query.get("cursor") === "page-2")
        return { status: 200, body: { messages: [summary("older", "failed", [4432])], nextCursor: null } };
      return {
        status: 200,
        body: { messages: [summary("newer", "failed", [4720, 4750])], nextCursor: "page-2" },
      };
    });
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("search");
    await tab().page.select("[data-testid=filter-status]", "failed");
    await tab().page.select("[data-testid=filter-direction]", "outbound");
    await tab().page.type("[data-testid=filter-errorCode]", "4720");
    await tab().page.type("[data-testid=filter-since]", "2026-11-29T00:00:00Z");
    await tab().clickAndSettle("[data-testid=search-submit]");
    expect(await tab().attributes("[data-testid=search-row]", "data-message-id")).toEqual(["newer"]);
    await tab().page.click("[data-testid=search-more]");
    await tab().page.waitForFunction(
      () => document.querySelectorAll("[data-testid=search-row]").length === 2,
    );
    expect(await tab().attributes("[data-testid=search-row]", "data-message-id")).toEqual(["newer", "older"]);
    expect(await tab().page.$("[data-testid=search-more]")).toBeNull();
    const [first = []] = await tab().cells("[data-testid=search-row]");
    expect(first.slice(2)).toEqual([
      "outbound",
      "+15552221111",
      "+15554443333",
      "failed",
      "4720, 4750",
      XSS.svg,
      "0 / 1 / 0",
    ]);
    const searches = stubbed
      .filter((request) => request.pathAndQuery.startsWith("/messages?"))
      .map((r) => r.pathAndQuery);
    expect(searches.at(-2)).toBe(
      "/messages?status=failed&direction=outbound&errorCode=4720&since=2026-11-29T00%3A00%3A00Z",
    );
    expect(searches.at(-1)).toBe(`${searches.at(-2)}&cursor=page-2`);
    await expectInert(tab());
  });

  it("shows forwarding per destination and redelivers to the destination chosen", async () => {
    const id = "per-destination-message";
    const event = (sequence: number, type: string) => ({
      id: `event-${sequence}`,
      sequence,
      type,
      event: type.replace("message-", ""),
      recipient: "+15554443333",
      time: `2026-11-30T08:00:0${sequence}.000Z`,
      description: "ok",
      duplicates: 0,
      acceptedAt: "2026-11-30T08:00:10.000Z",
      forwarding: {
        warehouse: { state: "delivered", attempts: 1, forwardedAt: "2026-11-30T08:00:11.000Z" },
        crm: { state: "dead", attempts: 3, lastError: "HTTP 400" },
      },
    });
    const view = {
      id,
      direction: "outbound",
      from: "+15552221111",
      to: ["+15554443333"],
      owner: "+15552221111",
      status: "delivered",
      recipients: [{ recipient: "+15554443333", status: "delivered", time: "2026-11-30T08:00:02.000Z" }],
      events: [event(1, "message-sending"), event(2, "message-delivered")],
    };
    await tab().load(`#/messages/${id}`);
    const stubbed = await stubApi(tab(), (method, path) => {
      if (method === "GET" && path === `/messages/${id}`) return { status: 200, body: view };
      if (method === "POST" && path === `/messages/${id}/redeliver`)
        return { status: 202, body: { redelivered: 2 } };
      return undefined;
    });
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("message");
    expect(await tab().texts("[data-testid=event-row]:first-child [data-testid=delivery]")).toEqual([
      "crm: dead, 3 attempt(s) — HTTP 400",
      "warehouse: delivered, 1 attempt(s)",
    ]);
    await tab().page.select("[data-testid=redeliver-destination]", "crm");
    await tab().clickAndSettle("[data-testid=redeliver-dead]");
    expect(await tab().text("[data-testid=action-result]")).toBe(`Redelivery started: 2 event(s) of ${id}.`);
    const redelivery = stubbed.find((request) => request.method === "POST");
    expect(redelivery).toMatchObject({
      body: { destination: "crm" },
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
  });

  it("lists dead letters per destination and redelivers a message's to its destination", async () => {
    await tab().load("#/dead-letters?destination=crm");
    const item = {
      eventId: "event-2",
      destination: "crm",
      messageId: "dead-message",
      sequence: 2,
      type: "message-delivered",
      attempts: 3,
      lastError: "HTTP 400",
      deadAt: "2026-11-30T08:01:00.000Z",
    };
    const stubbed = await stubApi(tab(), (method, path) => {
      if (method === "GET" && path.startsWith("/dead-letters?"))
        return { status: 200, body: { items: [item], total: 1 } };
      if (method === "POST" && path === "/messages/dead-message/redeliver")
        return { status: 202, body: { redelivered: 1 } };
      return undefined;
    });
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("dead-letters");
    expect(stubbed.map((request) => request.pathAndQuery)).toContain(
      "/dead-letters?limit=100&destination=crm",
    );
    expect((await tab().cells("[data-testid=dead-letter-row]"))[0]?.slice(1, 7)).toEqual([
      "dead-message",
      "2",
      "message-delivered",
      "crm",
      "3",
      "HTTP 400",
    ]);
    await tab().clickAndSettle("[data-testid=dead-letter-redeliver]");
    expect(stubbed.find((request) => request.method === "POST")?.body).toEqual({ destination: "crm" });
    expect(await tab().text("[data-testid=action-result]")).toBe(
      "Redelivery started: 1 event(s) of dead-message to crm.",
    );
  });

  it("redelivers every dead letter and releases every held event a batch a request, following nextCursor", async () => {
    const deadLetter = {
      eventId: "event-1",
      destination: "crm",
      messageId: "dead-message",
      sequence: 1,
      type: "message-sending",
      attempts: 1,
      lastError: "HTTP 400",
      deadAt: "2026-11-30T08:01:00.000Z",
    };
    const held = {
      eventId: "event-9",
      messageId: "held-message",
      type: "message-sent",
      issues: [{ path: "message.segmentCount", message: "must be a number" }],
      quarantinedAt: "2026-11-30T08:02:00.000Z",
    };
    await tab().load("#/dead-letters?destination=crm");
    const stubbed = await stubApi(tab(), (method, path, body) => {
      const cursor = (body as { cursor?: string } | undefined)?.cursor;
      if (method === "GET" && path.startsWith("/dead-letters?"))
        return { status: 200, body: { items: [deadLetter], total: 1 } };
      if (method === "GET" && path.startsWith("/quarantine?"))
        return { status: 200, body: { items: [held], total: 1 } };
      if (method === "POST" && path === "/dead-letters/redeliver")
        return cursor === undefined
          ? { status: 202, body: { redelivered: 0, messages: 100, nextCursor: "after-100" } }
          : { status: 202, body: { redelivered: 3, messages: 2 } };
      if (method === "POST" && path === "/quarantine/release")
        return cursor === undefined
          ? { status: 200, body: { released: 0, remaining: 7, messages: 100, nextCursor: "after-100" } }
          : { status: 200, body: { released: 2, remaining: 5, messages: 4 } };
      return undefined;
    });
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("dead-letters");
    await tab().clickAndSettle("[data-testid=dead-letters-redeliver-all]");
    expect(await tab().text("[data-testid=action-result]")).toBe(
      "Redelivery started: 3 event(s) of 102 message(s).",
    );
    await tab().navigate("#/quarantine");
    await tab().clickAndSettle("[data-testid=quarantine-release-all]");
    expect(await tab().text("[data-testid=action-result]")).toBe("Released 2 event(s); 5 still held in all.");
    expect(
      stubbed
        .filter((request) => request.method === "POST")
        .map(({ pathAndQuery, body }) => [pathAndQuery, body]),
    ).toEqual([
      ["/dead-letters/redeliver", { destination: "crm" }],
      ["/dead-letters/redeliver", { destination: "crm", cursor: "after-100" }],
      ["/quarantine/release", {}],
      ["/quarantine/release", { cursor: "after-100" }],
    ]);
  });

  it("shows GET /destinations with health and rate limits, and pauses one", async () => {
    let crmPaused = false;
    const destinations = () => ({
      destinations: [
        {
          name: "crm",
          kind: "http",
          host: "crm.example.com",
          filter: { events: ["delivered", "failed"], direction: "outbound" },
          timeoutMs: 10_000,
          maxAgeHours: 24,
          health: crmPaused
            ? { state: "paused", since: "2026-11-30T08:05:00.000Z" }
            : {
                state: "failing",
                since: "2026-11-30T08:00:00.000Z",
                consecutiveFailures: 6,
                lastError: "HTTP 503",
              },
        },
        {
          name: "warehouse",
          kind: "queue",
          queue: "EVENTS_QUEUE",
          timeoutMs: 10_000,
          maxAgeHours: 24,
          maxPerSecond: 200,
          rateLimit: { waiting: 1830, granted: 96_400, denied: 12, since: "2026-11-30T07:58:02.000Z" },
          health: { state: "healthy" },
        },
      ],
    });
    await tab().load("#/destinations");
    const stubbed = await stubApi(tab(), (method, path) => {
      if (method === "GET" && path === "/destinations") return { status: 200, body: destinations() };
      if (method === "POST" && path === "/destinations/crm/pause") {
        crmPaused = true;
        return { status: 202, body: { destination: "crm", health: { state: "paused" } } };
      }
      return undefined;
    });
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("destinations");
    expect((await tab().cells("[data-testid=destination-row]")).map((cells) => cells.slice(0, 5))).toEqual([
      [
        "crm",
        "http",
        "crm.example.com",
        '{"events":["delivered","failed"],"direction":"outbound"}',
        "failing, since 2026-11-30 08:00:00Z, 6 failures in a row, last error: HTTP 503",
      ],
      ["warehouse", "queue", "EVENTS_QUEUE", "everything", "healthy"],
    ]);
    expect((await tab().cells("[data-testid=destination-row]")).map((cells) => cells[5])).toEqual([
      "none",
      "200/s, 1830 waiting",
    ]);
    await tab().clickAndSettle(
      "[data-testid=destination-row][data-destination=crm] [data-testid=destination-pause]",
    );
    expect(
      stubbed.some(
        (request) => request.method === "POST" && request.pathAndQuery === "/destinations/crm/pause",
      ),
    ).toBe(true);
    expect(await tab().attributes("[data-testid=destination-row]", "data-health")).toEqual([
      "paused",
      "healthy",
    ]);
    expect(
      await tab().page.$(
        "[data-testid=destination-row][data-destination=crm] [data-testid=destination-resume]",
      ),
    ).not.toBeNull();
  });
});
