/**
 * Measurements on disk: the deployable bundle's gzip size (`wrangler deploy --dry-run --outdir`) and the bytes
 * a `--persist-to` directory holds.
 */
import { spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { lstat, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";

/** The bundle wrangler would upload: its JavaScript modules, raw and gzipped (source maps excluded). */
export interface BundleSize {
  rawBytes: number;
  gzipBytes: number;
}

/** Bytes on disk under a directory. */
export interface DirectorySize {
  bytes: number;
  /** Bytes in SQLite write-ahead logs (`*-wal`) not yet checkpointed into their databases. */
  walBytes: number;
  files: number;
}

const BUILD_TIMEOUT_MS = 120_000;

/** Runs `wrangler deploy --dry-run --outdir <tmp>` in `root` and measures the modules it produced. */
export async function measureBundle(root: string): Promise<BundleSize> {
  const outdir = await mkdtemp(join(tmpdir(), "bench-bundle-"));
  try {
    await run(
      realpathSync(join(root, "node_modules/.bin/wrangler")),
      ["deploy", "--dry-run", "--outdir", outdir],
      root,
    );
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const name of await readdir(outdir)) {
      if (!/\.(m?js|wasm)$/.test(name)) continue;
      const bytes = await readFile(join(outdir, name));
      rawBytes += bytes.length;
      gzipBytes += gzipSync(bytes).length;
    }
    if (rawBytes === 0) throw new Error("wrangler deploy --dry-run produced no module");
    return { rawBytes, gzipBytes };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** The size of every regular file under `dir`, recursively (symbolic links are not followed). */
export async function directorySize(dir: string): Promise<DirectorySize> {
  const total: DirectorySize = { bytes: 0, walBytes: 0, files: 0 };
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const entry of await readdir(next, { withFileTypes: true })) {
      const path = join(next, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        const { size } = await lstat(path);
        total.bytes += size;
        total.files++;
        if (entry.name.endsWith("-wal")) total.walBytes += size;
      }
    }
  }
  return total;
}

/**
 * Checkpoints the write-ahead log of every SQLite database under `dir` into the database and removes it, as
 * SQLite itself does when the last connection closes cleanly (workerd stopped by a signal does not). Returns how
 * many databases were checkpointed. Only for directories no running process uses.
 */
export async function checkpointDatabases(dir: string): Promise<number> {
  let count = 0;
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const entry of await readdir(next, { withFileTypes: true })) {
      const path = join(next, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() && entry.name.endsWith(".sqlite")) {
        const database = new DatabaseSync(path);
        try {
          database.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } finally {
          database.close();
        }
        count++;
      }
    }
  }
  return count;
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const child = spawn(process.execPath, [command, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", NO_COLOR: "1", WRANGLER_SEND_METRICS: "false" },
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGKILL"), BUILD_TIMEOUT_MS);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`wrangler ${args.join(" ")} ended with ${code ?? signal}\n${output}`));
    });
  });
}
