/**
 * Signing in to the console and keeping the token safe: the token is checked before it is kept, kept in
 * sessionStorage only, sent only as a bearer header, and a refused token (a rotation) brings the sign-in
 * back; deep links survive the sign-in; the page runs under its Content-Security-Policy.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN } from "../../harness/receiver.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { expectTokenOnlyInHeaders, openSignedIn, useConsoleTab } from "./harness/console.ts";

const stack = useStack();
const tab = useConsoleTab(stack);

describe("signing in", () => {
  it("refuses a wrong token, keeps nothing, and signs in with the right one into sessionStorage", async () => {
    await tab().load();
    expect(await tab().text("main")).toContain("Sign in");
    expect(await tab().signIn("not-the-admin-token")).toBe("signin");
    await tab().page.waitForSelector("[data-testid=signin-error]");
    expect(await tab().text("[data-testid=signin-error]")).toBe("The receiver refused this token.");
    expect(await tab().sessionItem("adminToken")).toBeNull();

    expect(await tab().signIn(ADMIN_TOKEN)).toBe("overview");
    expect(await tab().sessionItem("adminToken")).toBe(ADMIN_TOKEN);
    expect(await tab().page.evaluate(() => localStorage.length)).toBe(0);
    expect(await tab().page.evaluate(() => document.cookie)).toBe("");
    expectTokenOnlyInHeaders(tab());
  });

  it("opens a deep link's view after the sign-in", async () => {
    expect(await openSignedIn(tab(), "#/dead-letters")).toBe("dead-letters");
    expect(tab().page.url()).toMatch(/\/console#\/dead-letters$/);
    expect(await tab().navigate("#/quarantine")).toBe("quarantine");
    expectTokenOnlyInHeaders(tab());
  });

  it("goes back to the sign-in, saying why, when the receiver refuses the token later (a rotation)", async () => {
    await openSignedIn(tab(), "#/dead-letters");
    await tab().page.evaluate(() => sessionStorage.setItem("adminToken", "a-rotated-out-token"));
    expect(await tab().navigate("#/quarantine")).toBe("signin");
    expect(await tab().text("[data-testid=signin-error]")).toContain("refused the admin token (401)");
    expect(await tab().sessionItem("adminToken")).toBeNull();
    expect(await tab().signIn(ADMIN_TOKEN)).toBe("quarantine");
  });

  it("signs out: the token leaves sessionStorage and the sign-in shows", async () => {
    await openSignedIn(tab(), "#/dead-letters");
    await tab().page.click("[data-testid=sign-out]");
    await tab().page.waitForSelector("[data-testid=signin-form]");
    expect(await tab().sessionItem("adminToken")).toBeNull();
  });
});

describe("the token in every view", () => {
  it("goes only into the Authorization header of API requests, through every route and a reload", async () => {
    await openSignedIn(tab(), "#/stats");
    for (const route of [
      "#/messages",
      "#/messages/some-id",
      "#/dead-letters",
      "#/quarantine",
      "#/destinations",
      "#/stats",
    ]) {
      await tab().navigate(route);
    }
    await tab().page.reload({ waitUntil: "domcontentloaded" });
    expect(await tab().settled(0)).toBe("overview");
    expect(await tab().sessionItem("adminToken")).toBe(ADMIN_TOKEN);
    const api = tab().requests.filter((request) => request.authorization !== undefined);
    expect(new Set(api.map((request) => new URL(request.url).pathname))).toEqual(
      new Set(["/dead-letters", "/stats", "/messages", "/messages/some-id", "/quarantine", "/destinations"]),
    );
    expectTokenOnlyInHeaders(tab());
  });
});

describe("what the page shows of failures", () => {
  it("says plainly that a message is not known (404)", async () => {
    expect(await openSignedIn(tab(), "#/messages/no-such-message-id")).toBe("message");
    expect(await tab().page.$eval("main", (main) => main.getAttribute("data-state"))).toBe("error");
    expect(await tab().text("[data-testid=error]")).toBe(
      "GET /messages/no-such-message-id answered 404: message not found",
    );
  });

  it("shows the receiver's version and configuration from /healthz", async () => {
    await tab().load();
    await tab().page.waitForFunction(
      () => document.querySelector("[data-testid=health]")?.textContent !== "",
    );
    expect(await tab().text("[data-testid=health]")).toMatch(/^v\d+\.\d+\.\d+ · configured$/);
  });
});

describe("the page's security", () => {
  it("is served with its CSP, and the browser refuses HTML strings and inline scripts under it", async () => {
    const response = await tab().page.goto(`${tab().baseUrl}/console`, { waitUntil: "domcontentloaded" });
    const headers = response?.headers() ?? {};
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    await tab().settled(0);
    const outcome = await tab().page.evaluate(() => {
      const results: string[] = [];
      try {
        document.body.innerHTML = "<b>markup</b>";
        results.push("innerHTML accepted");
      } catch (error) {
        results.push(`innerHTML refused: ${(error as Error).name}`);
      }
      const script = document.createElement("script");
      try {
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
      } catch (error) {
        results.push(`inline script refused: ${(error as Error).name}`);
      }
      results.push(
        `inline script ran: ${String((window as unknown as { inlineRan?: boolean }).inlineRan === true)}`,
      );
      return results;
    });
    expect(outcome).toEqual([
      "innerHTML refused: TypeError",
      "inline script refused: TypeError",
      "inline script ran: false",
    ]);
  });
});
