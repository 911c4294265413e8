/**
 * signWebhook keeps imported signing keys per secret: alternating secrets must never sign with the wrong key,
 * and a secret that cannot be imported must keep failing rather than be remembered.
 */
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/forward/sign.ts";

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
      await expect(signWebhook(["not-a-secret"], ID, TIMESTAMP, BODY)).rejects.toThrow(TypeError);
    }
  });
});
