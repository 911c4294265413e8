/**
 * DESTINATIONS in the configuration: absent (DOWNSTREAM_URL and DOWNSTREAM_SECRET as the destination
 * `default`), given as a JSON string or as TOML inline tables, defaults and overrides, secrets and Queues
 * bindings, and every problem named by index and field (or by the secret's setting), never with its value.
 */
import { describe, expect, it } from "vitest";
import { type ConfigResult, parseConfig } from "../../src/config.ts";
import { destinationSecretSetting } from "../../src/forward/destinations.ts";
import type { EventRecord } from "../../src/message/records.ts";
import { pendingDelivery } from "../../src/message/records.ts";
import { pausedStaleAt } from "../../src/objects/forward-targets.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET = "whsec_YWJjZGVmZ2hpams=";

const BASE = {
  CALLBACK_USERNAME: "bandwidth-user",
  CALLBACK_PASSWORD: "callback-password-value",
  ADMIN_TOKEN: "admin-token-0123456789abcdef",
};

const fakeQueue = { send: async () => {}, sendBatch: async () => {} };

const THREE = [
  {
    name: "crm",
    url: "https://crm.example.com/hooks/bandwidth",
    filter: { events: ["delivered", "failed"], direction: "outbound" },
  },
  { name: "inbox", url: "https://chat.example.com/sms", filter: { direction: "inbound" } },
  { name: "warehouse", queue: "EVENTS_QUEUE" },
];

const WITH_THREE = {
  ...BASE,
  DESTINATION_SECRET_CRM: SECRET,
  DESTINATION_SECRET_INBOX: OTHER_SECRET,
  EVENTS_QUEUE: fakeQueue,
};

type Settings = Record<string, unknown>;

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

/** The problems of a DESTINATIONS holding only `entry` (with the settings `extra`). */
function problemsOfOne(entry: unknown, extra: Settings = {}) {
  return problemsOf({ ...WITH_THREE, ...extra, DESTINATIONS: [entry] });
}

describe("DESTINATIONS absent", () => {
  it.each([undefined, "", "   "])("makes DOWNSTREAM_URL the destination `default`, no filter (%j)", (raw) => {
    const config = configOf({
      ...BASE,
      DOWNSTREAM_URL: "https://events.example.com/bandwidth",
      DOWNSTREAM_SECRET: SECRET,
      DESTINATIONS: raw,
    });
    const target = { url: "https://events.example.com/bandwidth", secrets: [SECRET], timeoutMs: 10_000 };
    expect(config.destinations).toEqual([
      { kind: "http", name: "default", target, timeoutMs: 10_000, maxAgeMs: 24 * 3_600_000 },
    ]);
  });

  it("still requires DOWNSTREAM_URL and DOWNSTREAM_SECRET", () => {
    expect(problemsOf(BASE).map((problem) => problem.setting)).toEqual([
      "DOWNSTREAM_SECRET",
      "DOWNSTREAM_URL",
    ]);
  });
});

describe("DESTINATIONS present", () => {
  it("reads a JSON string and TOML inline tables alike, with the tuning defaults", () => {
    const fromString = configOf({ ...WITH_THREE, DESTINATIONS: JSON.stringify(THREE) });
    const fromTables = configOf({ ...WITH_THREE, DESTINATIONS: THREE });
    expect(fromTables.destinations).toEqual(fromString.destinations);
    expect(fromString.destinations).toEqual([
      {
        kind: "http",
        name: "crm",
        filter: { events: ["delivered", "failed"], direction: "outbound" },
        target: { url: "https://crm.example.com/hooks/bandwidth", secrets: [SECRET], timeoutMs: 10_000 },
        timeoutMs: 10_000,
        maxAgeMs: 24 * 3_600_000,
      },
      {
        kind: "http",
        name: "inbox",
        filter: { direction: "inbound" },
        target: { url: "https://chat.example.com/sms", secrets: [OTHER_SECRET], timeoutMs: 10_000 },
        timeoutMs: 10_000,
        maxAgeMs: 24 * 3_600_000,
      },
      {
        kind: "queue",
        name: "warehouse",
        queue: "EVENTS_QUEUE",
        timeoutMs: 10_000,
        maxAgeMs: 24 * 3_600_000,
      },
    ]);
  });

  it("needs neither DOWNSTREAM_URL nor DOWNSTREAM_SECRET, and ignores a broken one", () => {
    expect(parse({ ...WITH_THREE, DESTINATIONS: THREE }).ok).toBe(true);
    expect(
      parse({ ...WITH_THREE, DESTINATIONS: THREE, DOWNSTREAM_URL: "ftp://x", DOWNSTREAM_SECRET: "x" }).ok,
    ).toBe(true);
  });

  it("takes maxPerSecond on HTTP and queue destinations, and none by default", () => {
    const config = configOf({
      ...WITH_THREE,
      DESTINATIONS: [{ ...THREE[0], maxPerSecond: 10_000 }, THREE[1], { ...THREE[2], maxPerSecond: 1 }],
    });
    expect(config.destinations.map((destination) => destination.maxPerSecond)).toEqual([
      10_000,
      undefined,
      1,
    ]);
  });

  it("takes timeoutMs and maxAgeHours per destination, and the tuning settings as defaults", () => {
    const config = configOf({
      ...WITH_THREE,
      FORWARD_TIMEOUT_MS: "5000",
      FORWARD_MAX_AGE_HOURS: "48",
      DESTINATIONS: [{ ...THREE[0], timeoutMs: 2500, maxAgeHours: 2 }, THREE[2]],
    });
    expect(config.destinations[0]).toMatchObject({ timeoutMs: 2500, maxAgeMs: 2 * 3_600_000 });
    expect(config.destinations[0]).toMatchObject({ kind: "http", target: { timeoutMs: 2500 } });
    expect(config.destinations[1]).toMatchObject({ timeoutMs: 5000, maxAgeMs: 48 * 3_600_000 });
  });

  it("accepts several space-separated secrets while rotating, and names a secret after the destination", () => {
    const config = configOf({
      ...BASE,
      DESTINATION_SECRET_MY_CRM_2: `${SECRET} ${OTHER_SECRET}`,
      DESTINATIONS: [{ name: "my-crm-2", url: "https://crm.example.com/" }],
    });
    expect(config.destinations[0]).toMatchObject({ target: { secrets: [SECRET, OTHER_SECRET] } });
    expect(destinationSecretSetting("my-crm-2")).toBe("DESTINATION_SECRET_MY_CRM_2");
  });

  it("accepts a plain-http loopback url only with ALLOW_LOOPBACK_DOWNSTREAM", () => {
    const loopback = { name: "crm", url: "http://127.0.0.1:8788/crm" };
    expect(parse({ ...WITH_THREE, DESTINATIONS: [loopback], ALLOW_LOOPBACK_DOWNSTREAM: "true" }).ok).toBe(
      true,
    );
    expect(problemsOfOne(loopback)).toEqual([
      {
        setting: "DESTINATIONS",
        problem:
          'DESTINATIONS[0].url: may use http: to loopback only when ALLOW_LOOPBACK_DOWNSTREAM is "true"',
      },
    ]);
  });

  it("accepts an operator-only destination: an empty events list with operator true", () => {
    const config = configOf({
      ...WITH_THREE,
      DESTINATIONS: [{ name: "alerts", queue: "EVENTS_QUEUE", filter: { events: [], operator: true } }],
    });
    expect(config.destinations[0]?.filter).toEqual({ events: [], operator: true });
  });
});

describe("DESTINATIONS problems", () => {
  it.each<[string, unknown, string]>([
    [
      "a name out of the pattern",
      { name: "CRM_1", queue: "EVENTS_QUEUE" },
      "DESTINATIONS[0].name: must be 1 to 32 characters of a-z, 0-9 and -",
    ],
    [
      "a name too long",
      { name: "a".repeat(33), queue: "EVENTS_QUEUE" },
      "DESTINATIONS[0].name: must be 1 to 32 characters of a-z, 0-9 and -",
    ],
    ["no name", { queue: "EVENTS_QUEUE" }, "DESTINATIONS[0].name: is required"],
    [
      "both url and queue",
      { name: "x", url: "https://a.example.com/", queue: "EVENTS_QUEUE" },
      "DESTINATIONS[0]: must have exactly one of url (an HTTP destination) and queue (a Queues binding)",
    ],
    [
      "neither url nor queue",
      { name: "x" },
      "DESTINATIONS[0]: must have exactly one of url (an HTTP destination) and queue (a Queues binding)",
    ],
    [
      "an http url",
      { name: "crm", url: "http://crm.example.com/secret-path" },
      "DESTINATIONS[0].url: must use https: (http: only to localhost, 127.0.0.0/8 or [::1])",
    ],
    [
      "a private address",
      { name: "crm", url: "https://10.1.2.3/hook" },
      "DESTINATIONS[0].url: must not point at a loopback, private, link-local or other special-purpose address",
    ],
    [
      "an unknown queue binding",
      { name: "w", queue: "NO_SUCH_QUEUE" },
      "DESTINATIONS[0].queue: names no Queues producer binding of this Worker",
    ],
    [
      "a binding that is not a queue",
      { name: "w", queue: "ADMIN_TOKEN" },
      "DESTINATIONS[0].queue: names no Queues producer binding of this Worker",
    ],
    [
      "a timeout out of bounds",
      { name: "w", queue: "EVENTS_QUEUE", timeoutMs: 99 },
      "DESTINATIONS[0].timeoutMs: must be an integer from 100 to 60000",
    ],
    [
      "a max age out of bounds",
      { name: "w", queue: "EVENTS_QUEUE", maxAgeHours: 721 },
      "DESTINATIONS[0].maxAgeHours: must be an integer from 1 to 720",
    ],
    [
      "a max age as text",
      { name: "w", queue: "EVENTS_QUEUE", maxAgeHours: "2" },
      "DESTINATIONS[0].maxAgeHours: must be an integer from 1 to 720",
    ],
    [
      "a rate limit of 0",
      { name: "w", queue: "EVENTS_QUEUE", maxPerSecond: 0 },
      "DESTINATIONS[0].maxPerSecond: must be an integer from 1 to 10000",
    ],
    [
      "a rate limit over 10,000",
      { name: "w", queue: "EVENTS_QUEUE", maxPerSecond: 10_001 },
      "DESTINATIONS[0].maxPerSecond: must be an integer from 1 to 10000",
    ],
    [
      "a fractional rate limit",
      { name: "w", queue: "EVENTS_QUEUE", maxPerSecond: 2.5 },
      "DESTINATIONS[0].maxPerSecond: must be an integer from 1 to 10000",
    ],
    [
      "an unknown field",
      { name: "w", queue: "EVENTS_QUEUE", filters: {} },
      "DESTINATIONS[0].filters: is not a known field",
    ],
    [
      "an unknown filter field",
      { name: "w", queue: "EVENTS_QUEUE", filter: { event: ["sent"] } },
      "DESTINATIONS[0].filter.event: is not a known field",
    ],
    [
      "a filter that is not an object",
      { name: "w", queue: "EVENTS_QUEUE", filter: "sent" },
      "DESTINATIONS[0].filter: must be an object",
    ],
    [
      "events that are not strings",
      { name: "w", queue: "EVENTS_QUEUE", filter: { events: ["sent", 5] } },
      "DESTINATIONS[0].filter.events[1]: must be a string",
    ],
    [
      "a direction of both",
      { name: "w", queue: "EVENTS_QUEUE", filter: { direction: "both" } },
      'DESTINATIONS[0].filter.direction: must be "inbound" or "outbound"',
    ],
    [
      "an error code that is not an integer",
      { name: "w", queue: "EVENTS_QUEUE", filter: { errorCodes: [4720.5] } },
      "DESTINATIONS[0].filter.errorCodes[0]: must be an integer",
    ],
    [
      "operator as text",
      { name: "w", queue: "EVENTS_QUEUE", filter: { operator: "yes" } },
      "DESTINATIONS[0].filter.operator: must be true or false",
    ],
    [
      "an empty tags list",
      { name: "w", queue: "EVENTS_QUEUE", filter: { tags: [] } },
      "DESTINATIONS[0].filter.tags: is empty, so the destination would receive no event",
    ],
    ["an entry that is not an object", "crm", "DESTINATIONS[0]: must be an object"],
  ])("names %s by index and field", (_case, entry, problem) => {
    expect(problemsOfOne(entry)).toEqual([{ setting: "DESTINATIONS", problem }]);
  });

  it("names the later of two destinations with the same name", () => {
    const problems = problemsOf({
      ...WITH_THREE,
      DESTINATIONS: [...THREE, { name: "inbox", queue: "EVENTS_QUEUE" }],
    });
    expect(problems).toEqual([
      { setting: "DESTINATIONS", problem: "DESTINATIONS[3].name: repeats the name of DESTINATIONS[1]" },
    ]);
  });

  it.each<[string, unknown, string]>([
    ["not JSON", "[{name: crm-secret-value}", "DESTINATIONS: is not valid JSON"],
    ["a JSON object", '{"name":"crm"}', "DESTINATIONS: must be a JSON array of destinations"],
    ["a number", 5, "DESTINATIONS: must be a JSON array of destinations"],
    ["an empty array", "[]", "DESTINATIONS: must list at least one destination (or be left unset)"],
    [
      "too many destinations",
      Array.from({ length: 21 }, (_, i) => ({ name: `q${i}`, queue: "EVENTS_QUEUE" })),
      "DESTINATIONS: must list at most 20 destinations",
    ],
  ])("names a DESTINATIONS that is %s", (_case, raw, problem) => {
    expect(problemsOf({ ...WITH_THREE, DESTINATIONS: raw })).toEqual([{ setting: "DESTINATIONS", problem }]);
  });

  it("reports a missing secret under the secret's own setting", () => {
    const problems = problemsOf({ ...WITH_THREE, DESTINATION_SECRET_INBOX: undefined, DESTINATIONS: THREE });
    expect(problems).toEqual([
      { setting: "DESTINATION_SECRET_INBOX", problem: "is not set (DESTINATIONS[1] is an HTTP destination)" },
    ]);
  });

  it("reports an invalid secret under its setting, without its value", () => {
    const problems = problemsOf({
      ...WITH_THREE,
      DESTINATION_SECRET_CRM: `${SECRET} not-a-whsec-leaked-value`,
      DESTINATIONS: THREE,
    });
    expect(problems).toEqual([
      { setting: "DESTINATION_SECRET_CRM", problem: "must be whsec_ followed by base64" },
    ]);
    expect(JSON.stringify(problems)).not.toContain("leaked-value");
    expect(JSON.stringify(problems)).not.toContain("MfKQ9r8");
  });

  it("reports every problem of every destination at once, never a value", () => {
    const problems = problemsOf({
      ...BASE,
      DESTINATIONS: [
        { name: "crm", url: "https://user:leaked-password@crm.example.com/leaked-path" },
        { name: "Bad Name", url: "https://leaked-host.example.com/" },
        { name: "w", queue: "LEAKED_BINDING" },
      ],
    });
    expect(problems).toEqual([
      { setting: "DESTINATIONS", problem: "DESTINATIONS[0].url: must not contain credentials" },
      { setting: "DESTINATION_SECRET_CRM", problem: "is not set (DESTINATIONS[0] is an HTTP destination)" },
      {
        setting: "DESTINATIONS",
        problem: "DESTINATIONS[1].name: must be 1 to 32 characters of a-z, 0-9 and -",
      },
      {
        setting: "DESTINATIONS",
        problem: "DESTINATIONS[2].queue: names no Queues producer binding of this Worker",
      },
    ]);
    for (const fragment of ["leaked", "Bad Name", "LEAKED"])
      expect(JSON.stringify(problems)).not.toContain(fragment);
  });

  it("checks ALLOW_LOOPBACK_DOWNSTREAM with DESTINATIONS too", () => {
    expect(problemsOf({ ...WITH_THREE, DESTINATIONS: THREE, ALLOW_LOOPBACK_DOWNSTREAM: "maybe" })).toEqual([
      { setting: "ALLOW_LOOPBACK_DOWNSTREAM", problem: 'must be "true" or "false"' },
    ]);
  });
});

describe("DESTINATIONS filter events", () => {
  it("takes Bandwidth's own type names as aliases of the event names", () => {
    const config = configOf({
      ...WITH_THREE,
      DESTINATIONS: [
        {
          name: "crm",
          url: "https://crm.example.com/hooks/bandwidth",
          filter: {
            events: [
              "message-delivered",
              "failed",
              "requested-location-response",
              "location-request-response",
            ],
          },
        },
      ],
    });
    expect(config.destinations[0]?.filter?.events).toEqual(["delivered", "failed", "location-response"]);
  });

  it.each([
    ["a typo", "deliverd"],
    ["an unknown Bandwidth-like type", "message-foo"],
    ["a direction in events", "outbound"],
  ])("refuses %s by its place, never by its value", (_, value) => {
    const problems = problemsOfOne({
      name: "crm",
      url: "https://crm.example.com/hooks/bandwidth",
      filter: { events: ["delivered", value] },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.setting).toBe("DESTINATIONS");
    expect(problems[0]?.problem).toMatch(/^DESTINATIONS\[0\]\.filter\.events\[1\]: names no known event/);
    expect(JSON.stringify(problems)).not.toContain(value);
  });

  it("refuses a direction that is neither inbound nor outbound, without its value", () => {
    const problems = problemsOfOne({
      name: "crm",
      url: "https://crm.example.com/hooks/bandwidth",
      filter: { direction: "sideways" },
    });
    expect(problems.map((p) => p.problem)).toEqual([
      'DESTINATIONS[0].filter.direction: must be "inbound" or "outbound"',
    ]);
  });
});

describe("pausedStaleAt", () => {
  it("is when the first pending event of a paused destination reaches that destination's own max age", () => {
    const config = configOf({
      ...WITH_THREE,
      FORWARD_MAX_AGE_HOURS: "48",
      DESTINATIONS: [{ ...THREE[0], maxAgeHours: 2 }, THREE[1], THREE[2]],
    });
    const record = (seq: number, since: number, names: string[]) =>
      ({
        seq,
        deliveries: Object.fromEntries(names.map((name) => [name, { ...pendingDelivery(since) }])),
      }) as unknown as EventRecord;
    const records = [record(1, 1_000, ["crm", "warehouse"]), record(2, 500, ["inbox"])];
    expect(pausedStaleAt(records, new Set(), config)).toBeUndefined();
    expect(pausedStaleAt(records, new Set(["crm"]), config)).toBe(1_000 + 2 * 3_600_000);
    expect(pausedStaleAt(records, new Set(["warehouse", "inbox"]), config)).toBe(500 + 48 * 3_600_000);
  });
});
