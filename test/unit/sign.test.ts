/**
 * Standard Webhooks signatures, checked against the specification's published test vector.
 */
import { describe, expect, it } from "vitest";
import { isWebhookSecret, signWebhook } from "../../src/forward/sign.ts";

// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md (test vector)
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const OTHER_SECRET = "whsec_dGhlIG5ldyBzZWNyZXQgZm9yIHJvdGF0aW9u";

describe("signWebhook", () => {
  it("reproduces the Standard Webhooks test vector", async () => {
    expect(await signWebhook([VECTOR.secret], VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(
      VECTOR.signature,
    );
  });

  it.each([
    ["id", { id: "msg_other" }],
    ["timestamp", { timestamp: VECTOR.timestamp + 1 }],
    ["body", { body: '{"test": 2432232315}' }],
  ])("changes when the %s changes", async (_, change) => {
    const input = { ...VECTOR, ...change };
    expect(await signWebhook([VECTOR.secret], input.id, input.timestamp, input.body)).not.toBe(
      VECTOR.signature,
    );
  });

  it("signs with every secret during a rotation, space-separated, in the order given", async () => {
    const other = await signWebhook([OTHER_SECRET], VECTOR.id, VECTOR.timestamp, VECTOR.body);
    const both = await signWebhook([VECTOR.secret, OTHER_SECRET], VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(other).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(other).not.toBe(VECTOR.signature);
    expect(both).toBe(`${VECTOR.signature} ${other}`);
  });

  it.each([
    ["a secret without the whsec_ prefix", "not-a-secret"],
    ["a whsec_ secret that is not base64", "whsec_not base64!"],
  ])("refuses %s", async (_, secret) => {
    await expect(signWebhook([secret], VECTOR.id, VECTOR.timestamp, VECTOR.body)).rejects.toThrow(TypeError);
  });
});

describe("isWebhookSecret", () => {
  it.each([VECTOR.secret, OTHER_SECRET, "whsec_YQ==", "whsec_YWI="])("accepts %s", (secret) => {
    expect(isWebhookSecret(secret)).toBe(true);
  });

  it.each([
    ["no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ["another prefix", "wh_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ["an empty key", "whsec_"],
    ["characters outside base64", "whsec_not base64!"],
    ["base64url characters", "whsec_ab-_"],
    ["too much padding", "whsec_YQ==="],
    ["an impossible length", "whsec_abcde"],
  ])("refuses %s", (_, secret) => {
    expect(isWebhookSecret(secret)).toBe(false);
  });
});
