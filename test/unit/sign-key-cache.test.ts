/**
 * signWebhook keeps imported signing keys per secret: alternating secrets must never sign with the wrong key,
 * and a secret that cannot be imported must keep failing rather than be remembered.
 */
import { describe, expect, it } from "vitest";
import { isWebhookSecret, signWebhook } from "../../src/forward/sign.ts";

// The Standard Webhooks specification's published test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("signing keys kept between calls", () => {
  it("signs each call with its own secret when secrets alternate", async () => {
    const others = Array.from({ length: 20 }, (_, i) => `whsec_${btoa(`rotation secret number ${i}`)}`);
    for (const other of others) {
      const otherSignature = await signWebhook([other], ID, TIMESTAMP, BODY);
      expect(otherSignature).not.toBe(SIGNATURE);
      expect(await signWebhook([SECRET], ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
      expect(await signWebhook([other], ID, TIMESTAMP, BODY)).toBe(otherSignature);
    }
  });

  it("rejects a secret that is not whsec_ base64 on every call", async () => {
    for (let call = 0; call < 2; call++) {
      await expect(signWebhook(["not-a-secret"], ID, TIMESTAMP, BODY)).rejects.toThrow(
        new TypeError("signing secret is not a whsec_ base64 secret"),
      );
    }
  });
});

describe("isWebhookSecret", () => {
  it("accepts whsec_ and non-empty base64, padded or not", () => {
    expect(isWebhookSecret(SECRET)).toBe(true);
    expect(isWebhookSecret("whsec_YWJjZA==")).toBe(true);
    expect(isWebhookSecret("whsec_YWJj")).toBe(true);
  });

  it.each([
    ["no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ["nothing after the prefix", "whsec_"],
    ["only padding", "whsec_=="],
    ["whitespace inside, which atob alone would drop", "whsec_YWJj\tZA=="],
    ["whitespace before", "whsec_\tYWJjZA=="],
    ["whitespace after", "whsec_YWJjZA==\t"],
    ["characters outside base64", "whsec_YWJj!ZA=="],
    ["padding inside", "whsec_YW=JjZA"],
  ])("refuses %s", (_, secret) => {
    expect(isWebhookSecret(secret)).toBe(false);
  });
});
