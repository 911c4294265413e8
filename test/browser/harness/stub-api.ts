/**
 * Operator API answers stubbed inside the browser (puppeteer's request interception), for views whose
 * endpoints a branch may not have yet: the page and its files still come from the real receiver; the stubbed
 * requests are recorded with their bodies.
 */
import type { HTTPRequest } from "puppeteer-core";
import type { ConsoleTab } from "./browser.ts";

/** A stubbed answer: status and JSON body. */
export interface StubAnswer {
  status: number;
  body: unknown;
}

/** Answers `METHOD /path` (query included) or undefined to let the request through to the receiver. */
export type StubRoutes = (method: string, pathAndQuery: string, body: unknown) => StubAnswer | undefined;

/** A request that a stub answered. */
export interface StubbedRequest {
  method: string;
  pathAndQuery: string;
  body: unknown;
  authorization: string | undefined;
}

/** Intercepts `tab`'s requests: `routes` answers those it knows, the rest go to the receiver. */
export async function stubApi(tab: ConsoleTab, routes: StubRoutes): Promise<StubbedRequest[]> {
  const stubbed: StubbedRequest[] = [];
  await tab.page.setRequestInterception(true);
  tab.page.on("request", (request: HTTPRequest) => {
    const url = new URL(request.url());
    const pathAndQuery = `${url.pathname}${url.search}`;
    const text = request.postData();
    const body: unknown = text ? JSON.parse(text) : undefined;
    const answer =
      url.origin === new URL(tab.baseUrl).origin ? routes(request.method(), pathAndQuery, body) : undefined;
    if (!answer) {
      void request.continue();
      return;
    }
    stubbed.push({
      method: request.method(),
      pathAndQuery,
      body,
      authorization: request.headers().authorization,
    });
    void request.respond({
      status: answer.status,
      contentType: "application/json",
      body: JSON.stringify(answer.body),
    });
  });
  return stubbed;
}
