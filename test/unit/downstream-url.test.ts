/**
 * Which DOWNSTREAM_URL values are accepted: https to a public host, plain http only to loopback and only when
 * development allows it; never an address of an IANA special-purpose range (one case per range of the table,
 * the edges of a few, and addresses just outside them).
 */
import { describe, expect, it } from "vitest";
import { downstreamUrlProblem } from "../../src/net/downstream-url.ts";
import {
  type IpAddress,
  parseIpAddress,
  SPECIAL_PURPOSE_RANGES,
  specialPurposeRange,
} from "../../src/net/special-addresses.ts";

/** An address as the host of a URL: a dotted quad, or 8 uncompressed groups in brackets. */
function urlHost(address: IpAddress): string {
  if (address.version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => (address.value >> shift) & 255n).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => (address.value >> BigInt(112 - 16 * i)) & 0xffffn);
  return `[${groups.map((group) => group.toString(16)).join(":")}]`;
}

/** The first address of the upper half of `cidr` (its only address for a /32 or /128). */
function addressInside(cidr: string): IpAddress {
  const [network = "", prefix = ""] = cidr.split("/");
  const address = parseIpAddress(network);
  if (address === undefined) throw new Error(`unreadable CIDR ${cidr}`);
  const hostBits = (address.version === 4 ? 32 : 128) - Number(prefix);
  return { ...address, value: hostBits === 0 ? address.value : address.value | (1n << BigInt(hostBits - 1)) };
}

describe("downstreamUrlProblem", () => {
  it.each([
    "https://events.example.com/bandwidth",
    "https://events.example.com:8443/hooks?team=sms",
    "https://8.8.8.8/hooks",
    "https://[2606:4700:4700::1111]/hooks",
  ])("accepts %s", (url) => {
    expect(downstreamUrlProblem(url)).toBeUndefined();
    expect(downstreamUrlProblem(url, true)).toBeUndefined();
  });

  it.each([
    "http://localhost:8080/events",
    "http://127.0.0.1:9/events",
    "http://127.45.6.7/events",
    "http://[::1]:8080/events",
    "http://localhost./events",
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
    ["a link-local address (cloud metadata)", "https://169.254.169.254/latest/meta-data"],
    ["a private address written in hex", "https://0x0a000001/"],
    ["an IPv4-mapped IPv6 address", "https://[::ffff:10.0.0.1]/"],
    ["an .internal host", "https://metadata.google.internal/"],
    ["localhost over https", "https://localhost/"],
    ["a .localhost host", "https://receiver.localhost/"],
    ["ftp", "ftp://events.example.com/"],
    ["file", "file:///etc/passwd"],
    ["javascript", "javascript:alert(1)"],
    ["data", "data:text/plain,hello"],
    ["ws", "ws://localhost:8080/"],
  ])("refuses %s", (_, url) => {
    expect(downstreamUrlProblem(url)).toEqual(expect.any(String));
    expect(downstreamUrlProblem(url, true)).toEqual(expect.any(String));
  });

  it.each(SPECIAL_PURPOSE_RANGES)("refuses an address in $cidr ($name)", (range) => {
    const address = addressInside(range.cidr);
    const url = `https://${urlHost(address)}/events`;
    expect(specialPurposeRange(address)).toBe(range);
    expect(downstreamUrlProblem(url)).toMatch(/special-purpose/);
    expect(downstreamUrlProblem(url, true)).toMatch(/special-purpose/);
  });

  it.each([
    "198.18.0.0",
    "198.19.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "[2001::]",
    "[2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff]",
    "[2001:db8::]",
    "[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]",
  ])("refuses the first and last address of a range: %s", (host) => {
    expect(downstreamUrlProblem(`https://${host}/events`)).toMatch(/special-purpose/);
  });

  it.each([
    "198.17.255.255",
    "198.20.0.1",
    "172.15.255.255",
    "172.32.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "223.255.255.255",
    "[2001:200::]",
    "[2001:db7:ffff:ffff:ffff:ffff:ffff:ffff]",
    "[2001:db9::]",
    "[2003::1]",
  ])("accepts %s, just outside a range", (host) => {
    expect(downstreamUrlProblem(`https://${host}/events`)).toBeUndefined();
  });

  it("sees the IPv4 and IPv6 forms the URL parser normalizes", () => {
    expect(new URL("https://0x7f.1/").hostname).toBe("127.0.0.1");
    expect(new URL("https://2130706433/").hostname).toBe("127.0.0.1");
    expect(new URL("https://[0:0:0:0:0:FFFF:7F00:1]/").hostname).toBe("[::ffff:7f00:1]");
    for (const url of ["http://0x7f.1/", "http://2130706433/", "http://0177.0.0.1/"]) {
      expect(downstreamUrlProblem(url, true)).toBeUndefined();
      expect(downstreamUrlProblem(url.replace("http:", "https:"), true)).toMatch(/special-purpose/);
    }
    expect(downstreamUrlProblem("https://3232235777/")).toMatch(/special-purpose/); // 192.168.1.1
    expect(downstreamUrlProblem("https://134744072/")).toBeUndefined(); // 8.8.8.8
    expect(downstreamUrlProblem("https://[0:0:0:0:0:FFFF:7F00:1]/")).toMatch(/special-purpose/);
  });

  it("never quotes the URL in its problem", () => {
    for (const url of [
      "https://user:hunter2@events.example.com/",
      "http://events.example.com/secret-path",
      "ftp://events.example.com/secret-path",
      "https://10.1.2.3/secret-path",
      "https://255.255.255.255/secret-path",
    ]) {
      const problem = downstreamUrlProblem(url) ?? "";
      expect(problem).not.toBe("");
      expect(problem).not.toMatch(/hunter2|events\.example\.com|secret-path|10\.1\.2\.3|255\.255/);
    }
  });
});

describe("parseIpAddress", () => {
  it.each([
    ["0.0.0.0", 4, 0n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::", 6, 0n],
    ["::1", 6, 1n],
    ["1::", 6, 1n << 112n],
    ["1:2:3:4:5:6:7:8", 6, 0x0001_0002_0003_0004_0005_0006_0007_0008n],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6, (1n << 128n) - 1n],
  ])("reads %s", (text, version, value) => {
    expect(parseIpAddress(text)).toEqual({ version, value });
  });

  it.each([
    "",
    "1.2.3",
    "256.0.0.1",
    "1.2.3.4.5",
    "events.example.com",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::",
    "1::2::3",
    ":1::",
    "12345::",
    "g::",
    "::ffff:127.0.0.1",
  ])("does not read %j", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});
