/**
 * Configuration parsing: a complete configuration, every problem named by its setting (never its value),
 * the callback authentication modes, credential rotation, the tuning defaults and bounds, and LOG_LEVEL, which
 * reading the configuration applies to the log lines.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Config, type ConfigResult, parseConfig, readConfig } from "../../src/config.ts";
import type { DeliveryTarget } from "../../src/forward/deliver.ts";
import { log, setLogLevel } from "../../src/log.ts";

const COMPLETE = {
  CALLBACK_USERNAME: "bandwidth-user",
  CALLBACK_PASSWORD: "callback-password-value",
  DOWNSTREAM_URL: "https://events.example.com/bandwidth",
  DOWNSTREAM_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  ADMIN_TOKEN: "admin-token-0123456789abcdef",
};

type Settings = Record<string, string | number | undefined>;

/** Env is the generated bindings type; these tests need only its string settings. */
function parse(settings: Settings): ConfigResult {
  return parseConfig(settings as unknown as Env);
}

function configOf(settings: Settings) {
  const result = parse(settings);
  if (!result.ok) throw new Error(`expected a valid configuration: ${JSON.stringify(result.problems)}`);
  return result.config;
}

function problemsOf(settings: Settings) {
  const result = parse(settings);
  if (result.ok) throw new Error("expected configuration problems");
  return result.problems;
}

function without(name: keyof typeof COMPLETE): Settings {
  const settings: Settings = { ...COMPLETE };
  delete settings[name];
  return settings;
}

/** The one destination DOWNSTREAM_URL makes, which is an HTTP one. */
function defaultTarget(config: Config): DeliveryTarget {
  const [first] = config.destinations;
  if (first?.kind !== "http") throw new Error("expected the HTTP destination default");
  return first.target;
}

describe("parseConfig", () => {
  it("accepts a complete configuration with the documented defaults", () => {
    expect(configOf(COMPLETE)).toEqual({
      callbackAuth: {
        mode: "basic",
        credentials: [{ username: "bandwidth-user", password: "callback-password-value" }],
      },
      adminTokens: ["admin-token-0123456789abcdef"],
      destinations: [
        {
          kind: "http",
          name: "default",
          target: {
            url: "https://events.example.com/bandwidth",
            secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            timeoutMs: 10_000,
          },
          timeoutMs: 10_000,
          maxAgeMs: 24 * 3_600_000,
        },
      ],
      retry: { baseDelayMs: 1000, maxDelayMs: 600_000, maxAgeMs: 24 * 3_600_000 },
      retentionMs: 30 * 86_400_000,
      settleMs: 5_000,
      invalidEvents: "quarantine",
      media: {},
      logLevel: "info",
    });
  });

  it.each(["DOWNSTREAM_URL", "DOWNSTREAM_SECRET", "ADMIN_TOKEN"] as const)(
    "reports a missing %s by name",
    (name) => {
      expect(problemsOf(without(name))).toEqual([{ setting: name, problem: "is not set" }]);
    },
  );

  it("reports every problem at once", () => {
    const problems = problemsOf({});
    expect(problems.map((problem) => problem.setting).sort()).toEqual([
      "ADMIN_TOKEN",
      "CALLBACK_USERNAME",
      "DOWNSTREAM_SECRET",
      "DOWNSTREAM_URL",
    ]);
  });

  // Each value carries a distinctive fragment that must not reach the problem text.
  it.each([
    ["DOWNSTREAM_URL", "http://internal-host.example.com/secret-path-value", "internal-host"],
    ["DOWNSTREAM_URL", "https://user:leaked-password@events.example.com/", "leaked-password"],
    ["DOWNSTREAM_SECRET", "not-a-whsec-secret-value", "not-a-whsec"],
    ["DOWNSTREAM_SECRET", `${COMPLETE.DOWNSTREAM_SECRET} whsec_!!invalid-second`, "MfKQ9r8GKYqrTwjUPD8"],
    ["ADMIN_TOKEN", "shorttokenvalue", "shorttoken"],
    ["CALLBACK_PASSWORD", "shortpassvalue", "shortpass"],
    ["ALLOW_UNAUTHENTICATED_CALLBACKS", "yes-please-value", "yes-please"],
    ["ALLOW_LOOPBACK_DOWNSTREAM", "sure-value", "sure-value"],
    ["DOWNSTREAM_URL", "http://127.0.0.1:8788/loopback-path", "loopback-path"],
    ["FORWARD_TIMEOUT_MS", "fast-value", "fast-value"],
    ["FORWARD_MAX_AGE_HOURS", "1.5", "1.5"],
    ["RETENTION_DAYS", "99999", "99999"],
    ["INVALID_EVENTS", "drop-them-value", "drop-them"],
    ["LOG_LEVEL", "verbose-value", "verbose-value"],
  ])("reports an invalid %s by name without its value (%s)", (setting, value, fragment) => {
    const problems = problemsOf({ ...COMPLETE, [setting]: value });
    expect(problems.map((problem) => problem.setting)).toEqual([setting]);
    expect(JSON.stringify(problems)).not.toContain(fragment);
  });

  it("reads INVALID_EVENTS: quarantine by default, reject when asked", () => {
    expect(configOf({ ...COMPLETE, INVALID_EVENTS: "reject" }).invalidEvents).toBe("reject");
    expect(configOf({ ...COMPLETE, INVALID_EVENTS: "" }).invalidEvents).toBe("quarantine");
  });

  it("reads LOG_LEVEL: info by default (every line, as before the setting), warn or error when asked", () => {
    expect(configOf(COMPLETE).logLevel).toBe("info");
    expect(configOf({ ...COMPLETE, LOG_LEVEL: "" }).logLevel).toBe("info");
    expect(configOf({ ...COMPLETE, LOG_LEVEL: " warn " }).logLevel).toBe("warn");
    expect(configOf({ ...COMPLETE, LOG_LEVEL: "error" }).logLevel).toBe("error");
    // Case matters, as for INVALID_EVENTS: one spelling per value.
    expect(problemsOf({ ...COMPLETE, LOG_LEVEL: "WARN" })).toEqual([
      { setting: "LOG_LEVEL", problem: 'must be "info", "warn" or "error"' },
    ]);
  });

  it('accepts a plain-http loopback DOWNSTREAM_URL only with ALLOW_LOOPBACK_DOWNSTREAM "true"', () => {
    const loopback = { ...COMPLETE, DOWNSTREAM_URL: "http://127.0.0.1:8788/events" };
    expect(defaultTarget(configOf({ ...loopback, ALLOW_LOOPBACK_DOWNSTREAM: "true" })).url).toBe(
      "http://127.0.0.1:8788/events",
    );
    for (const allow of [undefined, "false"]) {
      const problems = problemsOf({ ...loopback, ALLOW_LOOPBACK_DOWNSTREAM: allow });
      expect(problems.map((problem) => problem.setting)).toEqual(["DOWNSTREAM_URL"]);
    }
  });

  it.each([
    ["CALLBACK_PASSWORD", "CALLBACK_USERNAME"],
    ["CALLBACK_USERNAME", "CALLBACK_PASSWORD"],
  ] as const)("names %s when only %s is set", (missing, present) => {
    const problems = problemsOf({ ...COMPLETE, [missing]: undefined, [present]: COMPLETE[present] });
    expect(problems).toContainEqual({ setting: missing, problem: "is not set, but its pair is" });
    expect(JSON.stringify(problems)).not.toContain(COMPLETE[present]);
  });

  it('is in open mode with ALLOW_UNAUTHENTICATED_CALLBACKS "true" and no credentials', () => {
    const settings: Settings = { ...without("CALLBACK_USERNAME"), ALLOW_UNAUTHENTICATED_CALLBACKS: "true" };
    delete settings.CALLBACK_PASSWORD;
    expect(configOf(settings).callbackAuth).toEqual({ mode: "open" });
  });

  it("fails closed with neither credentials nor ALLOW_UNAUTHENTICATED_CALLBACKS", () => {
    const settings = without("CALLBACK_USERNAME");
    delete settings.CALLBACK_PASSWORD;
    for (const allow of [undefined, "false"]) {
      const problems = problemsOf({ ...settings, ALLOW_UNAUTHENTICATED_CALLBACKS: allow });
      expect(problems).toEqual([
        { setting: "CALLBACK_USERNAME", problem: expect.stringContaining("ALLOW_UNAUTHENTICATED_CALLBACKS") },
      ]);
    }
  });

  it("still requires the credentials when they are set and open mode is allowed", () => {
    const config = configOf({ ...COMPLETE, ALLOW_UNAUTHENTICATED_CALLBACKS: "true" });
    expect(config.callbackAuth.mode).toBe("basic");
  });

  it("accepts the previous credentials as a second pair during a rotation", () => {
    const config = configOf({
      ...COMPLETE,
      CALLBACK_USERNAME_PREVIOUS: "old-user",
      CALLBACK_PASSWORD_PREVIOUS: "old-password-value",
    });
    expect(config.callbackAuth).toEqual({
      mode: "basic",
      credentials: [
        { username: "bandwidth-user", password: "callback-password-value" },
        { username: "old-user", password: "old-password-value" },
      ],
    });
  });

  it("requires CALLBACK_PASSWORD of at least 16 characters, like ADMIN_TOKEN, and never falls back to open mode", () => {
    expect(configOf({ ...COMPLETE, CALLBACK_PASSWORD: "sixteen-chars-ok" }).callbackAuth).toEqual({
      mode: "basic",
      credentials: [{ username: "bandwidth-user", password: "sixteen-chars-ok" }],
    });
    for (const allow of ["true", "false"]) {
      const short = {
        ...COMPLETE,
        CALLBACK_PASSWORD: "fifteen-chars-x",
        ALLOW_UNAUTHENTICATED_CALLBACKS: allow,
      };
      expect(problemsOf(short)).toEqual([
        { setting: "CALLBACK_PASSWORD", problem: "must be at least 16 characters" },
      ]);
    }
    const previous = {
      ...COMPLETE,
      CALLBACK_USERNAME_PREVIOUS: "old-user",
      CALLBACK_PASSWORD_PREVIOUS: "short",
    };
    expect(problemsOf(previous)).toEqual([
      { setting: "CALLBACK_PASSWORD_PREVIOUS", problem: "must be at least 16 characters" },
    ]);
  });

  it("names the missing half of the previous pair", () => {
    expect(problemsOf({ ...COMPLETE, CALLBACK_USERNAME_PREVIOUS: "old-user" })).toEqual([
      { setting: "CALLBACK_PASSWORD_PREVIOUS", problem: "is not set, but its pair is" },
    ]);
  });

  it("accepts several space-separated signing secrets and admin tokens for rotation", () => {
    const config = configOf({
      ...COMPLETE,
      DOWNSTREAM_SECRET: `${COMPLETE.DOWNSTREAM_SECRET}  whsec_YWJjZGVmZ2hpams=`,
      ADMIN_TOKEN: "admin-token-0123456789abcdef\nsecond-admin-token-0123",
    });
    expect(defaultTarget(config).secrets).toEqual([COMPLETE.DOWNSTREAM_SECRET, "whsec_YWJjZGVmZ2hpams="]);
    expect(config.adminTokens).toEqual(["admin-token-0123456789abcdef", "second-admin-token-0123"]);
  });

  it("reads the tuning settings", () => {
    const config = configOf({
      ...COMPLETE,
      FORWARD_TIMEOUT_MS: "5000",
      FORWARD_MAX_AGE_HOURS: "48",
      FORWARD_BACKOFF_BASE_MS: "50",
      FORWARD_BACKOFF_MAX_MS: "200",
      RETENTION_DAYS: "7",
    });
    expect(defaultTarget(config).timeoutMs).toBe(5000);
    expect(config.retry).toEqual({ baseDelayMs: 50, maxDelayMs: 200, maxAgeMs: 48 * 3_600_000 });
    expect(config.retentionMs).toBe(7 * 86_400_000);
  });

  it("treats an empty tuning setting as unset", () => {
    expect(defaultTarget(configOf({ ...COMPLETE, FORWARD_TIMEOUT_MS: "" })).timeoutMs).toBe(10_000);
  });

  it("honours a tuning setting given as a number (a non-string var in wrangler.toml)", () => {
    expect(defaultTarget(configOf({ ...COMPLETE, FORWARD_TIMEOUT_MS: 5000 })).timeoutMs).toBe(5000);
  });

  it("never lets the backoff cap fall below the base", () => {
    const config = configOf({ ...COMPLETE, FORWARD_BACKOFF_BASE_MS: "5000", FORWARD_BACKOFF_MAX_MS: "100" });
    expect(config.retry).toMatchObject({ baseDelayMs: 5000, maxDelayMs: 5000 });
  });

  it.each([
    ["FORWARD_TIMEOUT_MS", "100", "60000", "99", "60001"],
    ["FORWARD_MAX_AGE_HOURS", "1", "720", "0", "721"],
    ["FORWARD_BACKOFF_BASE_MS", "10", "3600000", "9", "3600001"],
    ["FORWARD_BACKOFF_MAX_MS", "10", "86400000", "9", "86400001"],
    ["RETENTION_DAYS", "1", "3650", "0", "3651"],
    ["SETTLE_DELAY_MS", "0", "9000", "-1", "9001"],
  ])("bounds %s to [%s, %s]", (setting, min, max, below, above) => {
    expect(parse({ ...COMPLETE, [setting]: min }).ok).toBe(true);
    expect(parse({ ...COMPLETE, [setting]: max }).ok).toBe(true);
    for (const value of [below, above]) {
      expect(problemsOf({ ...COMPLETE, [setting]: value })).toEqual([
        { setting, problem: `must be an integer from ${min} to ${max}` },
      ]);
    }
  });
});

describe("readConfig", () => {
  afterEach(() => {
    setLogLevel("info");
    vi.restoreAllMocks();
  });

  it("applies LOG_LEVEL to the isolate's log lines each time it is read", () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => undefined);
    readConfig({ ...COMPLETE, LOG_LEVEL: "warn" } as unknown as Env);
    log("info", "probe_quiet");
    const complete = COMPLETE as unknown as Env;
    readConfig(complete);
    readConfig({ ...COMPLETE, LOG_LEVEL: "warn" } as unknown as Env);
    // A configuration already read (cached) applies its level again.
    readConfig(complete);
    log("info", "probe_written");
    expect(info.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual(["probe_written"]);
  });

  it("leaves the level as it was when the configuration is invalid", () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => undefined);
    readConfig({ ...COMPLETE, LOG_LEVEL: "warn" } as unknown as Env);
    expect(readConfig({ ...COMPLETE, LOG_LEVEL: "verbose" } as unknown as Env).ok).toBe(false);
    log("info", "probe_quiet");
    expect(info).not.toHaveBeenCalled();
  });
});
