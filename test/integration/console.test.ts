/**
 * GET /console through the real Worker and its ASSETS binding: the page and its files carry the strict
 * Content-Security-Policy and the other security headers whatever the status, the page has no inline script
 * or style, and nothing of the console's folder is served at any other path.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONSOLE_HEADERS } from "../../src/http/middleware/console-headers.ts";

const BASE = "https://receiver.test";

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { headers });
}

function expectSecurityHeaders(response: Response): void {
  for (const [name, value] of Object.entries(CONSOLE_HEADERS))
    expect(response.headers.get(name), name).toBe(value);
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).not.toContain("unsafe-eval");
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
}

describe("GET /console", () => {
  it("serves the page with the security headers and no inline script or style", async () => {
    const response = await get("/console");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expectSecurityHeaders(response);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    // Every script has a src and an empty body; no style element or attribute; no inline handler.
    expect(html.match(/<script\b[^>]*>[^<]+<\/script>/gi)).toBeNull();
    expect(html.match(/<script\b(?![^>]*\bsrc=)[^>]*>/gi)).toBeNull();
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });

  it("serves its scripts and style sheet with the same headers and their own content types", async () => {
    for (const [file, type] of [
      ["app.js", /javascript/],
      ["dom.js", /javascript/],
      ["console.css", /^text\/css/],
    ] as const) {
      const response = await get(`/console/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get("content-type"), file).toMatch(type);
      expectSecurityHeaders(response);
      await response.arrayBuffer();
    }
  });

  it("answers a revalidation with 304 and the headers", async () => {
    const first = await get("/console/app.js");
    const etag = first.headers.get("etag");
    await first.arrayBuffer();
    expect(etag).toBeTruthy();
    const again = await get("/console/app.js", { "if-none-match": etag ?? "" });
    expect(again.status).toBe(304);
    expectSecurityHeaders(again);
  });

  it("answers 404 with the headers for a file that is not there or a path that leaves the folder", async () => {
    for (const path of [
      "/console/missing.js",
      "/console/..%2Fwrangler.toml",
      "/console/%2e%2e%2fpackage.json",
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expectSecurityHeaders(response);
      expect(await response.json()).toEqual({ error: "not found" });
    }
  });

  it("serves none of the console's files at the root or other paths", async () => {
    for (const path of ["/", "/index.html", "/app.js", "/console.css", "/console/sub/app.js"]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
  });
});
