/**
 * `npm run bench`: measures the receiver against a hello-world Worker on the same runtime, or with
 * `--scenario index` the message index's queries over 100,000 messages, or with `--scenario burst` a rate-limited
 * destination offered ten times its limit (see bench/README.md).
 * Everything it imports is erasable TypeScript (tsconfig.node.json checks `erasableSyntaxOnly`), so Node runs it
 * directly.
 */
import { parseBenchArgs } from "./lib/args.ts";

const parsed = parseBenchArgs(process.argv.slice(2));
if (!parsed.ok) {
  console.error(parsed.error);
  process.exit(2);
}

const scenarios = {
  ingest: () => import("./main.ts"),
  index: () => import("./index-scenario.ts"),
  burst: () => import("./burst-scenario.ts"),
};
const { main } = await scenarios[parsed.options.scenario]();
process.exit(await main(parsed.options));
