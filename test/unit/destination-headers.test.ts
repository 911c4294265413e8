/**
 * DESTINATION_HEADERS_<NAME>: a JSON object of extra headers for an HTTP destination. Every bad input is a
 * configuration problem under that setting, naming the header at most, never a value.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import {
  destinationHeadersSetting,
  FORBIDDEN_HEADERS,
  parseDestinationHeaders,
} from "../../src/forward/destination-headers.ts";

const SECRET_VALUE = "leak-value-0123456789";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BASE = {
  CALLBACK_USERNAME: "bandwidth-user",
  CALLBACK_PASSWORD: "callback-password-value",
  ADMIN_TOKEN: "admin-token-0123456789abcdef",
  DESTINATIONS: JSON.stringify([
    { name: "my-crm", url: "https://crm.example.com/hooks" },
    { name: "warehouse", queue: "EVENTS_QUEUE" },
  ]),
  DESTINATION_SECRET_MY_CRM: SECRET,
  EVENTS_QUEUE: { send: async () => {}, sendBatch: async () => {} },
};

function problemsWith(headers: unknown, setting = "DESTINATION_HEADERS_MY_CRM") {
  const result = parseConfig({ ...BASE, [setting]: headers } as unknown as Env);
  return result.ok ? [] : result.problems;
}

describe("DESTINATION_HEADERS_<NAME>", () => {
  it("is named after the destination like its secret", () => {
    expect(destinationHeadersSetting("my-crm-2")).toBe("DESTINATION_HEADERS_MY_CRM_2");
  });

  it("gives the HTTP destination its headers, names lower-cased", () => {
    const result = parseConfig({
      ...BASE,
      DESTINATION_HEADERS_MY_CRM: JSON.stringify({ Authorization: "Bearer abc", "X-Api-Key": "k 1" }),
    } as unknown as Env);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const crm = result.config.destinations.find((destination) => destination.name === "my-crm");
    expect(crm?.kind === "http" && crm.target.headers).toEqual({
      authorization: "Bearer abc",
      "x-api-key": "k 1",
    });
  });

  it.each([undefined, "", "  ", "{}"])("means no extra headers when it is %j", (raw) => {
    expect(parseDestinationHeaders(raw)).toEqual({ ok: true, headers: {} });
  });

  it("gives the destination default (DOWNSTREAM_URL) its headers from DESTINATION_HEADERS_DEFAULT", () => {
    const settings = {
      ...BASE,
      DESTINATIONS: undefined,
      DOWNSTREAM_URL: "https://events.example.com/hooks",
      DOWNSTREAM_SECRET: SECRET,
    };
    const good = parseConfig({ ...settings, DESTINATION_HEADERS_DEFAULT: '{"x-key":"v"}' } as unknown as Env);
    expect(
      good.ok && good.config.destinations[0]?.kind === "http" && good.config.destinations[0].target.headers,
    ).toEqual({ "x-key": "v" });
    const bad = parseConfig({ ...settings, DESTINATION_HEADERS_DEFAULT: "[" } as unknown as Env);
    expect(bad.ok ? [] : bad.problems).toEqual([
      { setting: "DESTINATION_HEADERS_DEFAULT", problem: "is not valid JSON" },
    ]);
  });

  it.each([
    ["invalid JSON", `{"x-key": "${SECRET_VALUE}"`, "is not valid JSON"],
    ["a JSON array", `["${SECRET_VALUE}"]`, "must be a JSON object of header names and string values"],
    ["a JSON string", `"${SECRET_VALUE}"`, "must be a JSON object of header names and string values"],
    ["a number value", '{"x-count": 12345}', 'header "x-count": its value must be a string'],
    ["an object value", `{"x-key": {"v": "${SECRET_VALUE}"}}`, 'header "x-key": its value must be a string'],
    ["a null value", '{"x-key": null}', 'header "x-key": its value must be a string'],
    [
      "a value with a line break",
      JSON.stringify({ "x-key": `${SECRET_VALUE}\r\nx-injected: 1` }),
      'header "x-key": its value must be 1 to 4096 printable ASCII characters, without line breaks or surrounding spaces',
    ],
    [
      "a value with non-ASCII characters",
      JSON.stringify({ "x-key": `${SECRET_VALUE}é` }),
      'header "x-key": its value must be 1 to 4096 printable ASCII characters, without line breaks or surrounding spaces',
    ],
    [
      "an empty value",
      '{"x-key": ""}',
      'header "x-key": its value must be 1 to 4096 printable ASCII characters, without line breaks or surrounding spaces',
    ],
    [
      "a value with a trailing space",
      JSON.stringify({ "x-key": `${SECRET_VALUE} ` }),
      'header "x-key": its value must be 1 to 4096 printable ASCII characters, without line breaks or surrounding spaces',
    ],
    [
      "an invalid header name",
      JSON.stringify({ [`bad name ${SECRET_VALUE}`]: "v" }),
      "header 1: its name is not a valid HTTP header name",
    ],
    ["an empty header name", '{"": "v"}', "header 1: its name is not a valid HTTP header name"],
    [
      "the host header",
      `{"Host": "${SECRET_VALUE}"}`,
      'header "host": is set by the receiver and cannot be replaced',
    ],
    [
      "content-length",
      '{"content-length": "1"}',
      'header "content-length": is set by the receiver and cannot be replaced',
    ],
    [
      "content-type",
      '{"content-type": "text/plain"}',
      'header "content-type": is set by the receiver and cannot be replaced',
    ],
    [
      "a signature header",
      `{"webhook-signature": "${SECRET_VALUE}"}`,
      'header "webhook-signature": is set by the receiver and cannot be replaced',
    ],
    [
      "traceparent",
      '{"traceparent": "x"}',
      'header "traceparent": is set by the receiver and cannot be replaced',
    ],
    [
      "transfer-encoding",
      '{"Transfer-Encoding": "chunked"}',
      'header "transfer-encoding": is set by the receiver and cannot be replaced',
    ],
    [
      "a header given twice in different cases",
      '{"X-Key": "a", "x-key": "b"}',
      'header "x-key": is given twice (header names are case-insensitive)',
    ],
  ])("refuses %s, naming the setting and at most the header", (_, raw, problem) => {
    const problems = problemsWith(raw);
    expect(problems).toEqual([{ setting: "DESTINATION_HEADERS_MY_CRM", problem }]);
    expect(JSON.stringify(problems)).not.toContain(SECRET_VALUE);
  });

  it("refuses more than 20 headers", () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, "v"]));
    expect(problemsWith(JSON.stringify(many))).toEqual([
      { setting: "DESTINATION_HEADERS_MY_CRM", problem: "must hold at most 20 headers" },
    ]);
  });

  it("refuses every header the receiver sets itself", () => {
    for (const name of [
      "host",
      "content-length",
      "content-type",
      "webhook-id",
      "webhook-timestamp",
      "traceparent",
      "connection",
    ]) {
      expect(FORBIDDEN_HEADERS.has(name)).toBe(true);
    }
  });

  it("takes __proto__ and constructor as header names like any other", () => {
    expect(parseDestinationHeaders('{"__proto__": "a", "constructor": "b"}')).toEqual({
      ok: true,
      headers: JSON.parse('{"__proto__": "a", "constructor": "b"}'),
    });
  });

  it("is a problem on a queue destination, which has no headers", () => {
    expect(problemsWith('{"x-key": "v"}', "DESTINATION_HEADERS_WAREHOUSE")).toEqual([
      {
        setting: "DESTINATION_HEADERS_WAREHOUSE",
        problem: "is set, but DESTINATIONS[1] is a queue destination (headers are for HTTP ones)",
      },
    ]);
  });
});
