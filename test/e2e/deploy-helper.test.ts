/**
 * `npm run deploy` (scripts/deploy.ts) against a fake `wrangler` first on PATH: the exact commands it runs, in
 * order, for a first deploy and for a later one; the secrets it generates and where they go; and that it stops at
 * the first failing command, saying what was done and what was not.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runNode } from "../../harness/processes.ts";

/** How the fake wrangler behaves: the account's state and which command fails. */
type Mode = "first" | "existing" | "logged-out";

const INDEX = "bandwidth-edge-receiver-index";
const URL = "https://bandwidth-edge-receiver.acme.workers.dev";

/**
 * The fake: logs each call's arguments to calls.log, copies a --secrets-file to secrets-seen.json, answers the
 * read-only commands for `MODE`, and exits 1 on the command whose arguments start with `FAIL_ON`.
 */
const FAKE_WRANGLER = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls.log"
args="$*"; args="\${args%% --config *}"
if [ -n "$FAIL_ON" ] && [[ "$args" == "$FAIL_ON"* ]]; then echo "✘ [ERROR] simulated failure of: $*" >&2; exit 1; fi
case "$args" in
  "whoami --json")
    if [ "$MODE" = logged-out ]; then echo '{"loggedIn":false}'; else echo '{"loggedIn":true,"email":"ops@example.com"}'; fi ;;
  "secret list --format json")
    if [ "$MODE" = first ]; then echo "✘ [ERROR] This Worker does not exist on your account. [code: 10007]" >&2; exit 1; fi
    echo '[{"name":"CALLBACK_USERNAME","type":"secret_text"},{"name":"CALLBACK_PASSWORD","type":"secret_text"},{"name":"ADMIN_TOKEN","type":"secret_text"},{"name":"DOWNSTREAM_SECRET","type":"secret_text"},{"name":"MEDIA_LINK_SECRET","type":"secret_text"}]' ;;
  "d1 list --json")
    if [ "$MODE" = first ]; then echo '[]'; else echo '[{"uuid":"5f1a","name":"${INDEX}"}]'; fi ;;
  deploy\\ --secrets-file\\ *)
    cp "$3" "$FAKE_DIR/secrets-seen.json"; echo "Deployed bandwidth-edge-receiver"; echo "  ${URL}" ;;
  "deploy")
    echo "Deployed bandwidth-edge-receiver"; echo "  ${URL}" ;;
esac
exit 0
`;

let fakeDir = "";

beforeEach(() => {
  fakeDir = mkdtempSync(join(tmpdir(), "fake-wrangler-"));
  writeFileSync(join(fakeDir, "wrangler"), FAKE_WRANGLER);
  chmodSync(join(fakeDir, "wrangler"), 0o755);
});

afterEach(() => rmSync(fakeDir, { recursive: true, force: true }));

/** Runs scripts/deploy.ts with the fake wrangler first on PATH; its exit code, output and the calls it made. */
async function deploy(mode: Mode, args: readonly string[] = [], failOn = "") {
  const run = await runNode(["scripts/deploy.ts", ...args], {
    timeoutMs: 60_000,
    env: { PATH: `${fakeDir}:${process.env.PATH ?? ""}`, FAKE_DIR: fakeDir, MODE: mode, FAIL_ON: failOn },
  });
  const log = existsSync(join(fakeDir, "calls.log")) ? readFileSync(join(fakeDir, "calls.log"), "utf8") : "";
  // Temporary paths differ per run: shown as <tmp>.
  const calls = log
    .trim()
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/\S*receiver-deploy-[^/\s]+/g, "<tmp>"));
  return { code: run.code, stdout: run.stdout, stderr: run.stderr, calls, rawLog: log };
}

const READ_ONLY = [
  "deploy --dry-run --outdir <tmp>/dry-run",
  "whoami --json",
  "secret list --format json",
  "d1 list --json",
];

/** A wrangler configuration with DATA_JURISDICTION=eu and the media bucket declared in `bucketJurisdiction`. */
function jurisdictionConfig(bucketJurisdiction: string): string {
  const path = join(fakeDir, "wrangler.toml");
  writeFileSync(
    path,
    `name = "bandwidth-edge-receiver"
main = "${join(process.cwd(), "src/index.ts")}"
compatibility_date = "2026-10-01"
[vars]
DATA_JURISDICTION = "eu"
[[d1_databases]]
binding = "MESSAGE_INDEX"
database_name = "${INDEX}"
[[r2_buckets]]
binding = "MEDIA_BUCKET"
bucket_name = "bandwidth-edge-receiver-media"
${bucketJurisdiction ? `jurisdiction = "${bucketJurisdiction}"` : ""}
`,
  );
  return path;
}

describe("npm run deploy with a fake wrangler", () => {
  it("first deploy: generates every secret, deploys with them, then migrates the index database the deploy created", async () => {
    const run = await deploy("first");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([
      ...READ_ONLY,
      "deploy --secrets-file <tmp>/secrets.json",
      `d1 migrations apply ${INDEX} --remote`,
    ]);
    const secrets = JSON.parse(readFileSync(join(fakeDir, "secrets-seen.json"), "utf8")) as Record<
      string,
      string
    >;
    expect(Object.keys(secrets).sort()).toEqual([
      "ADMIN_TOKEN",
      "CALLBACK_PASSWORD",
      "CALLBACK_USERNAME",
      "DOWNSTREAM_SECRET",
      "MEDIA_LINK_SECRET",
    ]);
    expect(secrets.CALLBACK_PASSWORD?.length).toBeGreaterThanOrEqual(32);
    expect(secrets.ADMIN_TOKEN?.length).toBeGreaterThanOrEqual(32);
    expect(secrets.MEDIA_LINK_SECRET?.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(secrets.DOWNSTREAM_SECRET?.replace(/^whsec_/, "") ?? "", "base64")).toHaveLength(32);
    expect(secrets.DOWNSTREAM_SECRET).toMatch(/^whsec_/);
    // What to paste into Bandwidth: the callback URL and the generated credentials, once.
    expect(run.stdout).toContain(`Callback URL:  ${URL}/callbacks/messaging`);
    expect(run.stdout).toContain(`Username:      ${secrets.CALLBACK_USERNAME}`);
    expect(run.stdout).toContain(`Password:      ${secrets.CALLBACK_PASSWORD}`);
    // The secrets file does not outlive the run.
    const secretsPath = run.rawLog.match(/--secrets-file (\S+)/)?.[1] ?? "";
    expect(secretsPath).not.toBe("");
    expect(existsSync(secretsPath)).toBe(false);
  });

  it("a later deploy: migrates the existing index database before deploying, and generates no secret", async () => {
    const run = await deploy("existing");
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([...READ_ONLY, `d1 migrations apply ${INDEX} --remote`, "deploy"]);
    expect(existsSync(join(fakeDir, "secrets-seen.json"))).toBe(false);
    expect(run.stdout).toContain("Password:      (unchanged: the value set before)");
  });

  it("--plan runs only the read-only commands and prints the commands a deploy would run", async () => {
    const run = await deploy("first", ["--plan"]);
    expect(run.code).toBe(0);
    expect(run.calls).toEqual(READ_ONLY);
    expect(run.stdout).toContain("First deploy: the Worker does not exist yet.");
    expect(run.stdout).toContain(
      "Secrets to generate: CALLBACK_USERNAME, CALLBACK_PASSWORD, ADMIN_TOKEN, DOWNSTREAM_SECRET, MEDIA_LINK_SECRET",
    );
    expect(run.stdout).toMatch(/1\. wrangler deploy --secrets-file \S+secrets\.json/);
    expect(run.stdout).toContain(`2. wrangler d1 migrations apply ${INDEX} --remote`);
  });

  it("with DATA_JURISDICTION=eu it creates the index database in eu and migrates it before deploying", async () => {
    const config = jurisdictionConfig("eu");
    const run = await deploy("first", ["--config", config]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const withConfig = (call: string) => `${call} --config ${config}`;
    expect(run.calls).toEqual(
      [
        ...READ_ONLY,
        `d1 create ${INDEX} --jurisdiction eu`,
        `d1 migrations apply ${INDEX} --remote`,
        "deploy --secrets-file <tmp>/secrets.json",
      ].map(withConfig),
    );
  });

  it("with DATA_JURISDICTION=eu and a media bucket declared elsewhere it stops before any change", async () => {
    const run = await deploy("first", ["--config", jurisdictionConfig("")]);
    expect(run.code).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain('the R2 bucket MEDIA_BUCKET is not declared with jurisdiction = "eu"');
    expect(run.stderr).toContain("Nothing was changed on your account.");
  });

  it("a broken configuration stops at the dry run, before anything changes", async () => {
    const run = await deploy("existing", [], "deploy --dry-run");
    expect(run.code).toBe(1);
    expect(run.calls).toEqual(["deploy --dry-run --outdir <tmp>/dry-run"]);
    expect(run.stderr).toContain("deploy stopped at: validate the configuration");
    expect(run.stderr).toContain("Nothing was changed on your account.");
  });

  it("without a login it stops before reading or changing anything on the account", async () => {
    const run = await deploy("logged-out");
    expect(run.code).toBe(1);
    expect(run.calls).toEqual(READ_ONLY.slice(0, 2));
    expect(run.stderr).toContain("wrangler login");
  });

  it("a failed migration stops before the deploy, saying nothing was changed", async () => {
    const run = await deploy("existing", [], "d1 migrations apply");
    expect(run.code).toBe(1);
    expect(run.calls).toEqual([...READ_ONLY, `d1 migrations apply ${INDEX} --remote`]);
    expect(run.stderr).toContain(`deploy stopped at: apply the index migrations to ${INDEX}`);
    expect(run.stderr).toContain("Nothing was changed on your account.");
  });

  it("a migration failing after a first deploy says the Worker is deployed and that running again resumes", async () => {
    const run = await deploy("first", [], "d1 migrations apply");
    expect(run.code).toBe(1);
    expect(run.calls.at(-2)).toBe("deploy --secrets-file <tmp>/secrets.json");
    expect(run.stderr).toContain(`deploy stopped at: apply the index migrations to ${INDEX}`);
    expect(run.stderr).toMatch(
      /Done before it: deploy the Worker with 5 new secret\(s\).*run npm run deploy again/,
    );
    // The generated credentials were set on the Worker: they are shown even though the run failed later.
    expect(run.stdout).toMatch(/Password: {6}\S{32,}/);
  });
});
