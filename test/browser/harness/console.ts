/**
 * What every browser test file shares: one browser per file against the file's end-to-end stack, a fresh tab
 * per test (a screenshot and the tab's log when a test fails), and the checks that the admin token went
 * nowhere but the Authorization header of the operator API's requests.
 */
import type { Browser } from "puppeteer-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { ADMIN_TOKEN } from "../../../harness/receiver.ts";
import type { Stack } from "../../e2e/harness/stack.ts";
import { ConsoleTab, launchBrowser } from "./browser.ts";

/** A file name for a test's screenshot. */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "-").slice(0, 80);
}

/**
 * Launches a browser for the calling file (after its stack started) and opens a tab on the stack's receiver
 * for each test; returns an accessor for the current test's tab.
 */
export function useConsoleTab(stack: () => Stack): () => ConsoleTab {
  let browser: Browser | undefined;
  let tab: ConsoleTab | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  beforeEach(async () => {
    if (!browser) throw new Error("the browser did not start");
    tab = await ConsoleTab.open(browser, stack().receiver.baseUrl);
  });
  afterEach(async (context) => {
    if (tab && context.task.result?.state === "fail") {
      const path = await tab
        .screenshot(`failed-${fileName(context.task.name)}`)
        .catch(() => "(no screenshot)");
      console.error(
        `--- console tab of "${context.task.name}": ${path}\n${[...tab.pageErrors, ...tab.logs].join("\n")}`,
      );
    }
    await tab?.close();
    tab = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!tab) throw new Error("no tab is open");
    return tab;
  };
}

/** Loads the console at `hash` in `tab` and signs in with the admin token; returns the view shown. */
export async function openSignedIn(tab: ConsoleTab, hash = ""): Promise<string> {
  await tab.load(hash);
  return tab.signIn(ADMIN_TOKEN);
}

/**
 * The admin token appeared in no request URL (plain or URL-encoded) and no console line of `tab`, and only
 * requests to the operator API carried a token, as a bearer header.
 */
export function expectTokenOnlyInHeaders(tab: ConsoleTab): void {
  const forms = [ADMIN_TOKEN, encodeURIComponent(ADMIN_TOKEN)];
  for (const request of tab.requests) {
    for (const form of forms) expect(request.url, "a request URL").not.toContain(form);
    if (request.authorization !== undefined) {
      expect(request.authorization).toMatch(/^Bearer \S+$/);
      expect(new URL(request.url).origin).toBe(new URL(tab.baseUrl).origin);
      expect(new URL(request.url).pathname).not.toMatch(/^\/console/);
    }
  }
  for (const line of [...tab.logs, ...tab.pageErrors]) expect(line).not.toContain(ADMIN_TOKEN);
}

/** Markup shown by the page was not run: no dialog, no element made of it, no request for its `src=x`. */
export async function expectInert(tab: ConsoleTab): Promise<void> {
  expect(tab.dialogs).toEqual([]);
  expect(tab.pageErrors).toEqual([]);
  const injected = await tab.page.evaluate(() => ({
    images: document.querySelectorAll("main img").length,
    svgOutsideCharts: document.querySelectorAll("main svg:not([data-testid=hourly-chart])").length,
    scripts: Array.from(document.scripts).map((script) => script.getAttribute("src")),
    handlers: document.querySelectorAll("[onerror], [onload]").length,
  }));
  expect(injected).toEqual({ images: 0, svgOutsideCharts: 0, scripts: ["/console/app.js"], handlers: 0 });
  expect(tab.requests.filter((request) => /\/x$/.test(new URL(request.url).pathname))).toEqual([]);
}
