/**
 * The configuration the workerd tests run with: fixed development credentials, never real ones.
 */

export const TEST_USERNAME = "bandwidth";
export const TEST_PASSWORD = "test-callback-password";
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789";
export const TEST_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Bindings layered over wrangler.toml for the workerd test run. */
export const TEST_BINDINGS = {
  CALLBACK_USERNAME: TEST_USERNAME,
  CALLBACK_PASSWORD: TEST_PASSWORD,
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  DOWNSTREAM_SECRET: TEST_SECRET,
  // Signed links to media copies (GET /media/...) and their deletion at retention; copying stays off.
  MEDIA_LINK_SECRET: "test-media-link-secret-0123456789abcdef",
  // Every outbound fetch goes to the recording downstream (test/helpers/recording-downstream.ts).
  DOWNSTREAM_URL: "http://127.0.0.1:9/events",
  ALLOW_LOOPBACK_DOWNSTREAM: "true",
  FORWARD_BACKOFF_BASE_MS: "50",
  FORWARD_BACKOFF_MAX_MS: "200",
  // Noted deliveries and index rows are written 100 ms after a message's last activity (5 s in production).
  SETTLE_DELAY_MS: "100",
};
