/**
 * Measurements on disk: the deployable bundle's gzip size (`wrangler deploy --dry-run --outdir`) and the bytes
 * a `--persist-to` directory holds.
 */
import { lstat, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { gzipSync } from "node:zlib";
import { runWrangler } from "../harness/wrangler.ts";

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
    const args = ["deploy", "--dry-run", "--outdir", outdir];
    const build = await runWrangler(args, root, BUILD_TIMEOUT_MS);
    if (build.code !== 0) {
      throw new Error(
        `wrangler ${args.join(" ")} ended with ${build.code ?? build.signal}\n${build.output.slice(-4_000)}`,
      );
    }
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
