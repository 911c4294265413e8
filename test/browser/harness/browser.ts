/**
 * A real browser for the console's tests: the Chromium that @sparticuz/chromium ships inside its npm package
 * (nothing is downloaded at install or run time), driven by puppeteer-core, headless. One browser per test file,
 * one private context and tab per test; every request the tab makes, every dialog it opens and every line it
 * logs are recorded, so that a test can say what did not happen.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import chromium from "@sparticuz/chromium";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";
import { REPO_ROOT } from "../../../harness/repo.ts";

/** Where screenshots go (git ignores reports/). */
export const SCREENSHOT_DIR = join(REPO_ROOT, "reports", "browser");

/**
 * Flags of @sparticuz/chromium's defaults (made for one-shot serverless functions) left out: two would switch
 * off the browser's same-origin and mixed-content rules, which the console is tested with, as operators'
 * browsers have them; `--single-process` crashes Chromium when a second browser context opens a tab.
 */
const LEFT_OUT_FLAGS = new Set([
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--single-process",
]);

/** Starts headless Chromium; close it with `browser.close()`. */
export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((flag) => !LEFT_OUT_FLAGS.has(flag)),
    headless: true,
    defaultViewport: { width: 1280, height: 900 },
    timeout: 30_000,
    protocolTimeout: 30_000,
  });
}

/** One request the tab made. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** The Authorization header it carried, if any. */
  authorization: string | undefined;
}

/** A tab on the console of a receiver, in its own browser context (its own sessionStorage). */
export class ConsoleTab {
  readonly requests: RecordedRequest[] = [];
  readonly dialogs: string[] = [];
  readonly logs: string[] = [];
  readonly pageErrors: string[] = [];

  readonly page: Page;
  readonly baseUrl: string;
  private readonly context: BrowserContext;

  private constructor(page: Page, context: BrowserContext, baseUrl: string) {
    this.page = page;
    this.context = context;
    this.baseUrl = baseUrl;
    page.on("request", (request) => {
      this.requests.push({
        method: request.method(),
        url: request.url(),
        authorization: request.headers().authorization,
      });
    });
    page.on("dialog", (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    page.on("console", (message) => this.logs.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => this.pageErrors.push(String(error)));
  }

  /** Opens a tab in a new private context of `browser`, on nothing yet. */
  static async open(browser: Browser, baseUrl: string): Promise<ConsoleTab> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    return new ConsoleTab(page, context, baseUrl);
  }

  /** Loads `/console` with `hash` (e.g. `#/dead-letters`) and waits until the page has rendered. */
  async load(hash = ""): Promise<void> {
    await this.page.goto(`${this.baseUrl}/console${hash}`, { waitUntil: "domcontentloaded" });
    await this.settled(0);
  }

  /** The render counter of the page (`main[data-render]`). */
  async renderCount(): Promise<number> {
    return this.page.$eval("main", (main) => Number(main.getAttribute("data-render") ?? "0"));
  }

  /** Waits until a render after number `after` has finished (ready or failed); returns the view's name. */
  async settled(after: number): Promise<string> {
    await this.page.waitForFunction(
      (n) => {
        const main = document.querySelector("main");
        const state = main?.getAttribute("data-state");
        return (
          Number(main?.getAttribute("data-render") ?? "0") > n && (state === "ready" || state === "error")
        );
      },
      {},
      after,
    );
    return this.page.$eval("main", (main) => main.getAttribute("data-view") ?? "");
  }

  /**
   * Signs in with `token` and waits for the view that follows, or for the sign-in's refusal; returns the view's
   * name (`signin` when refused).
   */
  async signIn(token: string): Promise<string> {
    await this.page.waitForSelector("[data-testid=signin-token]");
    const before = await this.renderCount();
    await this.page.$eval("[data-testid=signin-token]", (input) => {
      (input as HTMLInputElement).value = "";
    });
    await this.page.type("[data-testid=signin-token]", token);
    await this.page.click("[data-testid=signin-submit]");
    await this.page.waitForFunction(
      (n) => {
        const main = document.querySelector("main");
        const state = main?.getAttribute("data-state");
        const rendered = Number(main?.getAttribute("data-render") ?? "0") > n;
        return (
          (rendered && (state === "ready" || state === "error")) ||
          document.querySelector("[data-testid=signin-error]")
        );
      },
      {},
      before,
    );
    return this.page.$eval("main", (main) => main.getAttribute("data-view") ?? "");
  }

  /** Moves to `hash` as a click on a link would, and waits for its view; returns its name. */
  async navigate(hash: string): Promise<string> {
    const before = await this.renderCount();
    await this.page.evaluate((target) => {
      location.hash = target;
    }, hash);
    return this.settled(before);
  }

  /** Clicks `selector` and waits for the render it causes (an action that reloads its view). */
  async clickAndSettle(selector: string): Promise<string> {
    const before = await this.renderCount();
    await this.page.click(selector);
    return this.settled(before);
  }

  /** The text of the first element matching `selector`, or undefined. */
  async text(selector: string): Promise<string | undefined> {
    const handle = await this.page.$(selector);
    return handle ? ((await handle.evaluate((node) => node.textContent ?? "")) as string) : undefined;
  }

  /** The texts of every element matching `selector`. */
  texts(selector: string): Promise<string[]> {
    return this.page.$$eval(selector, (nodes) => nodes.map((node) => node.textContent ?? ""));
  }

  /** The text of each cell of every table row matching `selector`, a list per row. */
  cells(selector: string): Promise<string[][]> {
    return this.page.$$eval(selector, (rows) =>
      rows.map((row) => Array.from((row as HTMLTableRowElement).cells).map((cell) => cell.textContent ?? "")),
    );
  }

  /** The value of attribute `name` of every element matching `selector`. */
  attributes(selector: string, name: string): Promise<Array<string | null>> {
    return this.page.$$eval(
      selector,
      (nodes, attribute) => nodes.map((node) => node.getAttribute(attribute)),
      name,
    );
  }

  /** What sessionStorage holds under `key`. */
  sessionItem(key: string): Promise<string | null> {
    return this.page.evaluate((name) => sessionStorage.getItem(name), key);
  }

  /** Saves a screenshot of the page as reports/browser/<name>.png; returns its path. */
  async screenshot(name: string): Promise<string> {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${name}.png`) as `${string}.png`;
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** Closes the tab and its context. */
  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}
