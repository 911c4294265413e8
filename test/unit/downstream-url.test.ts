/**
 * Which DOWNSTREAM_URL values are accepted: https to a public host, plain http only to loopback and only when
 * development allows it.
 */
import { describe, expect, it } from "vitest";
import { downstreamUrlProblem } from "../../src/forward/downstream-url.ts";

describe("downstreamUrlProblem", () => {
  it.each([
    "https://events.example.com/bandwidth",
    "https://events.example.com:8443/hooks?team=sms",
    "https://8.8.8.8/hooks",
  ])("accepts %s", (url) => {
    expect(downstreamUrlProblem(url)).toBeUndefined();
    expect(downstreamUrlProblem(url, true)).toBeUndefined();
  });

  it.each([
    "http://localhost:8080/events",
    "http://127.0.0.1:9/events",
    "http://127.45.6.7/events",
    "http://[::1]:8080/events",
  ])("accepts %s only when loopback is allowed (development)", (url) => {
    expect(downstreamUrlProblem(url, true)).toBeUndefined();
    expect(downstreamUrlProblem(url)).toMatch(/ALLOW_LOOPBACK_DOWNSTREAM/);
  });

  it("refuses https to loopback even when loopback is allowed", () => {
    expect(downstreamUrlProblem("https://127.0.0.1/events", true)).toEqual(expect.any(String));
  });

  it.each([
    ["an empty value", ""],
    ["whitespace", "   "],
    ["a relative URL", "/events"],
    ["plain http to a public host", "http://events.example.com/bandwidth"],
    ["plain http to a private address", "http://10.0.0.1/events"],
    ["credentials in the URL", "https://user:hunter2@events.example.com/"],
    ["a username in the URL", "https://user@events.example.com/"],
    ["a fragment", "https://events.example.com/#part"],
    ["a 10/8 address", "https://10.1.2.3/events"],
    ["a 172.16/12 address", "https://172.20.0.1/events"],
    ["a 192.168/16 address", "https://192.168.1.10/events"],
    ["a link-local address (cloud metadata)", "https://169.254.169.254/latest/meta-data"],
    ["a carrier-grade NAT address", "https://100.64.0.1/"],
    ["the unspecified address", "https://0.0.0.0/"],
    ["a private address written in hex", "https://0x0a000001/"],
    ["a unique-local IPv6 address", "https://[fd00::1]/"],
    ["a link-local IPv6 address", "https://[fe80::1]/"],
    ["an IPv4-mapped IPv6 address", "https://[::ffff:10.0.0.1]/"],
    ["an .internal host", "https://metadata.google.internal/"],
    ["ftp", "ftp://events.example.com/"],
    ["file", "file:///etc/passwd"],
    ["javascript", "javascript:alert(1)"],
    ["data", "data:text/plain,hello"],
    ["ws", "ws://localhost:8080/"],
  ])("refuses %s", (_, url) => {
    expect(downstreamUrlProblem(url)).toEqual(expect.any(String));
    expect(downstreamUrlProblem(url, true)).toEqual(expect.any(String));
  });

  it("never quotes the URL in its problem", () => {
    for (const url of [
      "https://user:hunter2@events.example.com/",
      "http://events.example.com/secret-path",
      "ftp://events.example.com/secret-path",
      "https://10.1.2.3/secret-path",
    ]) {
      const problem = downstreamUrlProblem(url) ?? "";
      expect(problem).not.toBe("");
      expect(problem).not.toMatch(/hunter2|events\.example\.com|secret-path|10\.1\.2\.3/);
    }
  });
});
