/**
 * Bindings that only the workerd tests have (vitest.config.ts adds them to the Worker's own).
 */
declare namespace Cloudflare {
  interface Env {
    /** The migrations of migrations/, read by `readD1Migrations` in Node. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
