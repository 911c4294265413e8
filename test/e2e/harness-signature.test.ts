/**
 * The harness's own Standard Webhooks verifier, checked against the specification's published test vector, so
 * that "signature ok" in the end-to-end tests means something.
 */
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../harness/signature.ts";

// The example from the Standard Webhooks specification (same secret as DOWNSTREAM_SECRET in these tests).
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = "1614265330";
const BODY = Buffer.from('{"test": 2432232314}');
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const NOW = Number(TIMESTAMP) * 1000;

describe("the harness's signature verifier", () => {
  it("accepts the specification's example, also among several space-separated signatures", () => {
    expect(
      verifyWebhookSignature(SECRET, { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE }, BODY, NOW),
    ).toBe("ok");
    const several = `v1,AAAA v2,abc ${SIGNATURE}`;
    expect(
      verifyWebhookSignature(SECRET, { id: ID, timestamp: TIMESTAMP, signature: several }, BODY, NOW),
    ).toBe("ok");
  });

  it("rejects a changed body, id, timestamp or secret, a stale timestamp and missing headers", () => {
    const headers = { id: ID, timestamp: TIMESTAMP, signature: SIGNATURE };
    expect(verifyWebhookSignature(SECRET, headers, Buffer.from('{"test": 2432232315}'), NOW)).toBe(
      "mismatch",
    );
    expect(verifyWebhookSignature(SECRET, { ...headers, id: `${ID}x` }, BODY, NOW)).toBe("mismatch");
    expect(verifyWebhookSignature(SECRET, { ...headers, timestamp: "1614265331" }, BODY, NOW)).toBe(
      "mismatch",
    );
    expect(verifyWebhookSignature("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", headers, BODY, NOW)).toBe(
      "mismatch",
    );
    expect(verifyWebhookSignature(SECRET, headers, BODY, NOW + 301_000)).toBe("stale-timestamp");
    expect(verifyWebhookSignature(SECRET, { ...headers, signature: undefined }, BODY, NOW)).toBe(
      "missing-headers",
    );
    expect(verifyWebhookSignature(SECRET, { ...headers, signature: "v2,abc" }, BODY, NOW)).toBe(
      "no-v1-signature",
    );
  });
});
