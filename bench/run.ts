/**
 * `npm run bench`: measures the receiver against a hello-world Worker on the same runtime (see bench/README.md).
 *
 * The end-to-end harness this reuses (test/e2e/harness/) uses TypeScript that Node's default type stripping
 * cannot run (parameter properties), so this launcher re-runs itself with `--experimental-transform-types`.
 */
import { spawn } from "node:child_process";
import { parseBenchArgs } from "./lib/args.ts";

const parsed = parseBenchArgs(process.argv.slice(2));
if (!parsed.ok) {
  console.error(parsed.error);
  process.exit(2);
}

if (process.features.typescript === "transform") {
  const { main } = await import("./main.ts");
  process.exit(await main(parsed.options));
} else {
  const child = spawn(
    process.execPath,
    [
      "--experimental-transform-types",
      "--disable-warning=ExperimentalWarning",
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: "inherit" },
  );
  // Ctrl-C reaches the child too (same process group); it stops what it started, then this one exits with it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", forward);
  child.once("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
}
