/**
 * parseMediaSettings (src/media/settings.ts): features off while their settings are absent, half-configured
 * ones named as problems (never quoting a value), and the media hosts that may receive the token.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BANDWIDTH_MEDIA_ORIGIN, parseAllowedHosts } from "../../src/media/allowed-hosts.ts";
import { type MediaEnv, parseMediaSettings } from "../../src/media/settings.ts";

const SECRET_VALUE = "leak-client-secret-value";
const LINK_SECRET = "link-secret-0123456789abcdef0123456789";
const CREDENTIALS = {
  BANDWIDTH_ACCOUNT_ID: "9900000",
  BANDWIDTH_CLIENT_ID: "client-id",
  BANDWIDTH_CLIENT_SECRET: SECRET_VALUE,
};
const HOUR = 3_600_000;

function problems(bindings: MediaEnv) {
  const result = parseMediaSettings(bindings);
  if (result.ok) throw new Error("expected problems");
  expect(JSON.stringify(result.problems)).not.toContain(SECRET_VALUE);
  return result.problems;
}

function settings(bindings: MediaEnv) {
  const result = parseMediaSettings(bindings);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.settings;
}

describe("parseMediaSettings", () => {
  it("turns every feature off, without a problem, when nothing is set", () => {
    expect(settings({})).toEqual({});
  });

  it("with wrangler.toml's defaults and the R2 binding but no credentials: still all off", () => {
    // The test bindings turn links on; without MEDIA_LINK_SECRET everything is off.
    expect(settings({ ...env, MEDIA_LINK_SECRET: "" })).toEqual({});
  });

  it("turns reconciliation on with the three credentials, with the default URLs and durations", () => {
    const result = settings(CREDENTIALS);
    expect(result.api).toMatchObject({
      accountId: "9900000",
      clientId: "client-id",
      clientSecret: SECRET_VALUE,
      tokenUrl: "https://api.bandwidth.com/api/v1/oauth2/token",
      apiUrl: "https://messaging.bandwidth.com/api/v2",
    });
    expect([...(result.api?.mediaOrigins ?? [])]).toEqual([BANDWIDTH_MEDIA_ORIGIN]);
    expect(result.reconcile).toEqual({ afterMs: 3 * HOUR, maxAgeMs: 72 * HOUR });
    expect(result.copy).toBeUndefined();
    expect(result.links).toBeUndefined();
  });

  it("turns media copies on with the bucket, the credentials and the link secret", () => {
    const result = settings({
      ...CREDENTIALS,
      MEDIA_BUCKET: env.MEDIA_BUCKET,
      MEDIA_LINK_SECRET: LINK_SECRET,
    });
    expect(result.links).toEqual({ bucket: env.MEDIA_BUCKET, secret: LINK_SECRET, ttlMs: 24 * HOUR });
    expect(result.copy).toEqual({ api: result.api, links: result.links });
  });

  it("serves links (GET /media) with the bucket and the link secret alone", () => {
    const result = settings({ MEDIA_BUCKET: env.MEDIA_BUCKET, MEDIA_LINK_SECRET: LINK_SECRET });
    expect(result.links).toBeDefined();
    expect(result.copy).toBeUndefined();
  });

  it.each([
    ["BANDWIDTH_ACCOUNT_ID", { BANDWIDTH_CLIENT_ID: "id", BANDWIDTH_CLIENT_SECRET: SECRET_VALUE }],
    ["BANDWIDTH_CLIENT_SECRET", { BANDWIDTH_ACCOUNT_ID: "1", BANDWIDTH_CLIENT_ID: "id" }],
  ])("names %s when the other credentials are set", (missing, bindings) => {
    expect(problems(bindings)).toEqual([
      { setting: missing, problem: "is not set, but the other Bandwidth API credentials are" },
    ]);
  });

  it("names MEDIA_LINK_SECRET when the bucket and the credentials would copy media without it", () => {
    expect(problems({ ...CREDENTIALS, MEDIA_BUCKET: env.MEDIA_BUCKET })).toEqual([
      { setting: "MEDIA_LINK_SECRET", problem: expect.stringContaining("is not set") },
    ]);
  });

  it("refuses a link secret shorter than 32 characters", () => {
    expect(problems({ MEDIA_LINK_SECRET: "short-secret" })).toEqual([
      { setting: "MEDIA_LINK_SECRET", problem: "must be at least 32 characters" },
    ]);
  });

  it.each([
    ["BANDWIDTH_TOKEN_URL", "http://api.example.com/token"],
    ["BANDWIDTH_API_URL", "https://10.0.0.1/api/v2"],
    ["BANDWIDTH_API_URL", "https://user:pass@messaging.bandwidth.com/api/v2"],
    ["MEDIA_PUBLIC_URL", "https://receiver.example.com/some/path"],
    ["MEDIA_URL_TTL_HOURS", "0.0001"],
    ["MEDIA_URL_TTL_HOURS", "soon"],
    ["RECONCILE_AFTER_HOURS", "-3"],
    ["RECONCILE_MAX_AGE_HOURS", "1000"],
  ])("names %s when it is wrong", (setting, value) => {
    const found = problems({ ...CREDENTIALS, [setting]: value });
    expect(found.map((problem) => problem.setting)).toEqual([setting]);
    expect(JSON.stringify(found)).not.toContain(value);
  });

  it("wants the max age after the first lookup", () => {
    expect(problems({ RECONCILE_AFTER_HOURS: "10", RECONCILE_MAX_AGE_HOURS: "5" })).toEqual([
      { setting: "RECONCILE_MAX_AGE_HOURS", problem: "must be greater than RECONCILE_AFTER_HOURS" },
    ]);
  });

  it("reads durations in hours, fractions allowed (short ones for tests)", () => {
    const result = settings({
      ...CREDENTIALS,
      RECONCILE_AFTER_HOURS: "0.01",
      RECONCILE_MAX_AGE_HOURS: 1,
      MEDIA_BUCKET: env.MEDIA_BUCKET,
      MEDIA_LINK_SECRET: LINK_SECRET,
      MEDIA_URL_TTL_HOURS: "0.5",
      MEDIA_PUBLIC_URL: "https://receiver.example.com/",
    });
    expect(result.reconcile).toEqual({ afterMs: 36_000, maxAgeMs: HOUR });
    expect(result.links).toMatchObject({ ttlMs: HOUR / 2, publicUrl: "https://receiver.example.com" });
  });

  it("lets the API and token URLs be plain-http loopback only in development", () => {
    const local = { ...CREDENTIALS, BANDWIDTH_API_URL: "http://127.0.0.1:8787/api/v2" };
    expect(problems(local).map((problem) => problem.setting)).toEqual(["BANDWIDTH_API_URL"]);
    expect(settings({ ...local, ALLOW_LOOPBACK_DOWNSTREAM: "true" }).api?.apiUrl).toBe(
      "http://127.0.0.1:8787/api/v2",
    );
  });

  it("refuses credentials that cannot travel in a Basic header", () => {
    const found = problems({ ...CREDENTIALS, BANDWIDTH_CLIENT_ID: "id:with:colons" });
    expect(found.map((problem) => problem.setting)).toEqual(["BANDWIDTH_CLIENT_ID"]);
  });
});

describe("MEDIA_ALLOWED_HOSTS", () => {
  it("always allows Bandwidth's media host, over https only", () => {
    expect(parseAllowedHosts("", false)).toEqual({ ok: true, origins: new Set([BANDWIDTH_MEDIA_ORIGIN]) });
  });

  it("adds https origins for host and host:port entries, default port normalized", () => {
    const result = parseAllowedHosts(
      " media.example.com , cdn.example.net:8443,files.example.org:443,",
      false,
    );
    expect(result.ok && [...result.origins].sort()).toEqual(
      [
        BANDWIDTH_MEDIA_ORIGIN,
        "https://cdn.example.net:8443",
        "https://files.example.org",
        "https://media.example.com",
      ].sort(),
    );
  });

  it("allows plain-http loopback only with ALLOW_LOOPBACK_DOWNSTREAM", () => {
    expect(parseAllowedHosts("127.0.0.1:9000", false)).toMatchObject({ ok: false });
    const result = parseAllowedHosts("127.0.0.1:9000,[::1]:9001,localhost:9002", true);
    expect(result.ok && [...result.origins]).toEqual(
      expect.arrayContaining([
        "http://127.0.0.1:9000",
        "https://127.0.0.1:9000",
        "http://[::1]:9001",
        "http://localhost:9002",
      ]),
    );
  });

  it.each([
    "https://media.example.com",
    "media.example.com/path",
    "*.example.com",
    "user@media.example.com",
    "10.1.2.3",
    "169.254.169.254",
    "printer.internal",
    "[fd00::1]:443",
  ])("refuses %s", (entry) => {
    const result = parseAllowedHosts(entry, true);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(entry);
  });
});
