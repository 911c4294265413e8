/**
 * Edge authentication: Basic credentials for Bandwidth's callbacks (with rotation) and the operator's bearer
 * token, all compared in constant time.
 */
import { describe, expect, it } from "vitest";
import { isAuthorizedAdmin, isAuthorizedCallback, parseBasicAuthorization } from "../../src/http/auth.ts";
import { matchesAny, secretsEqual } from "../../src/http/constant-time.ts";

/** A Basic header for `user:password`, UTF-8 encoded as browsers and Bandwidth do. */
function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

const CURRENT = { username: "bandwidth", password: "new-password" };
const PREVIOUS = { username: "bandwidth-old", password: "old-password" };

describe("parseBasicAuthorization", () => {
  it("splits a valid header into username and password", () => {
    expect(parseBasicAuthorization(basic("bandwidth", "s3cret"))).toEqual({
      username: "bandwidth",
      password: "s3cret",
    });
  });

  it("keeps every colon after the first in the password", () => {
    expect(parseBasicAuthorization(basic("user", "pa:ss:word"))).toEqual({
      username: "user",
      password: "pa:ss:word",
    });
  });

  it("accepts an empty password and the scheme in any case", () => {
    expect(parseBasicAuthorization(basic("user", "").replace("Basic", "bAsIc"))).toEqual({
      username: "user",
      password: "",
    });
  });

  it("decodes UTF-8 credentials", () => {
    expect(parseBasicAuthorization(basic("jürgen", "pässwörd"))).toEqual({
      username: "jürgen",
      password: "pässwörd",
    });
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["another scheme", `Bearer ${btoa("user:password")}`],
    ["no credentials after the scheme", "Basic "],
    ["characters outside base64", "Basic user:password"],
    ["base64 of an impossible length", "Basic abcde"],
    ["no colon in the decoded value", `Basic ${btoa("userpassword")}`],
  ])("refuses %s", (_, header) => {
    expect(parseBasicAuthorization(header)).toBeUndefined();
  });
});

describe("isAuthorizedCallback", () => {
  const accepted = [CURRENT, PREVIOUS];

  it("accepts the current credentials", async () => {
    expect(await isAuthorizedCallback(basic(CURRENT.username, CURRENT.password), accepted)).toBe(true);
  });

  it("accepts the previous credentials during a rotation", async () => {
    expect(await isAuthorizedCallback(basic(PREVIOUS.username, PREVIOUS.password), accepted)).toBe(true);
  });

  it.each([
    ["a username of one pair with the password of the other", basic(CURRENT.username, PREVIOUS.password)],
    ["a wrong password", basic(CURRENT.username, "new-passwor")],
    ["a wrong username", basic("Bandwidth", CURRENT.password)],
    ["a password with a suffix", basic(CURRENT.username, `${CURRENT.password}x`)],
    ["a malformed header", "Basic !!!"],
    ["no header (Bandwidth's first, unauthenticated try)", undefined],
  ])("refuses %s", async (_, header) => {
    expect(await isAuthorizedCallback(header, accepted)).toBe(false);
  });

  it("refuses everything when no credentials are accepted", async () => {
    expect(await isAuthorizedCallback(basic(CURRENT.username, CURRENT.password), [])).toBe(false);
  });
});

describe("isAuthorizedAdmin", () => {
  const tokens = ["admin-token-0123456789", "next-admin-token-0123456789"];

  it.each([
    "Bearer admin-token-0123456789",
    "bearer next-admin-token-0123456789",
    "Bearer   admin-token-0123456789 ",
  ])("accepts %s", async (header) => {
    expect(await isAuthorizedAdmin(header, tokens)).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["a wrong token", "Bearer admin-token-012345678"],
    ["a token with a suffix", "Bearer admin-token-0123456789x"],
    ["no token", "Bearer "],
    ["the token without the scheme", "admin-token-0123456789"],
    ["Basic credentials", basic("admin", "admin-token-0123456789")],
    ["two tokens", "Bearer admin-token-0123456789 next-admin-token-0123456789"],
  ])("refuses %s", async (_, header) => {
    expect(await isAuthorizedAdmin(header, tokens)).toBe(false);
  });

  it("refuses everything when no token is configured", async () => {
    expect(await isAuthorizedAdmin("Bearer admin-token-0123456789", [])).toBe(false);
  });
});

describe("constant-time comparison", () => {
  it("tells equal secrets from different ones, whatever their lengths", async () => {
    expect(await secretsEqual("s3cret", "s3cret")).toBe(true);
    expect(await secretsEqual("s3cret", "s3cres")).toBe(false);
    expect(await secretsEqual("s3cret", "s3cret-longer")).toBe(false);
    expect(await secretsEqual("", "s3cret")).toBe(false);
  });

  it("matches any of several candidates", async () => {
    expect(await matchesAny("b", ["a", "b", "c"])).toBe(true);
    expect(await matchesAny("d", ["a", "b", "c"])).toBe(false);
    expect(await matchesAny("", [])).toBe(false);
  });
});
