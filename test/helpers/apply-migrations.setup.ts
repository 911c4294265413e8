/**
 * Runs inside workerd before each test file of `npm run test:workerd`: applies the message index's migrations
 * (read from migrations/ by vitest.config.ts) to MESSAGE_INDEX, as `npm run dev` and a deploy do.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.MESSAGE_INDEX, env.TEST_MIGRATIONS);
