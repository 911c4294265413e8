/**
 * The receiver under test as a real process: `wrangler dev` (harness/wrangler.ts) on a free port of 127.0.0.1,
 * with known test credentials, its message index migrated, and a persistence directory that survives restarts.
 * Used by the end-to-end and fault tests and by the bench.
 */
import { applyLocalMigrations } from "./message-index.ts";
import type { StopOptions } from "./processes.ts";
import { WranglerDev } from "./wrangler.ts";

/** Basic credentials the receiver accepts from "Bandwidth" in the end-to-end tests. */
export const CALLBACK_CREDENTIALS = { username: "bandwidth-e2e", password: "e2e-callback-password-1" };
/** The operator's bearer token in the end-to-end tests (at least 16 characters). */
export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
/** The Standard Webhooks secret the receiver signs with and the downstream verifies. */
export const DOWNSTREAM_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Fast forwarding tuning, so that retries happen within seconds. */
export const FAST_TUNING: Readonly<Record<string, string>> = {
  FORWARD_BACKOFF_BASE_MS: "200",
  FORWARD_BACKOFF_MAX_MS: "2000",
  FORWARD_TIMEOUT_MS: "2000",
  SETTLE_DELAY_MS: "300",
};

/** How to start a receiver. */
export interface ReceiverOptions {
  /** DOWNSTREAM_URL. */
  downstreamUrl: string;
  /** The `--persist-to` directory; reuse it to restart with the same state. */
  persistTo: string;
  /** Extra or overriding `--var`s. */
  vars?: Record<string, string>;
  /**
   * The directory wrangler dev builds from and runs in (default: the checkout). A snapshot keeps edits made to
   * the working tree during a test from reloading the receiver.
   */
  sourceDir?: string;
  /** How long to wait for `/healthz` to report a complete configuration (default 60 s). */
  startTimeoutMs?: number;
  /**
   * wrangler's dev registry directory (`WRANGLER_REGISTRY_PATH`), shared with the local Workers it must reach
   * in other `wrangler dev` sessions, such as the consumer of its queue (default: wrangler's own).
   */
  devRegistry?: string;
  /**
   * wrangler configs (relative to the source directory) of Workers to run beside the receiver in the same
   * `wrangler dev` (`-c wrangler.toml -c <config>`): auxiliary Workers, sharing its local runtime and queues,
   * with no port of their own.
   */
  auxiliaryConfigs?: readonly string[];
  /** wrangler's config file (relative to the source directory; default wrangler.toml). */
  config?: string;
  /** Build-time substitutions (`--define NAME:VALUE`), e.g. the bench's `__BENCH_METERING__`. */
  define?: Readonly<Record<string, string>>;
}

/** Whether a `/healthz` answer says the receiver is up and completely configured. */
async function configured(baseUrl: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status === 200 && typeof body === "object" && body !== null && "configured" in body) {
    return body.configured === true;
  }
  throw new Error(`HTTP ${response.status} ${JSON.stringify(body)}`);
}

/** A `wrangler dev` process serving the Worker; see {@link startReceiver}. */
export class Receiver {
  readonly options: ReceiverOptions;
  private readonly wrangler: WranglerDev;
  private migrated = false;

  /** @param options how to start it; kept for restarts. */
  constructor(options: ReceiverOptions) {
    this.options = options;
    this.wrangler = new WranglerDev({
      port: "free",
      inspectorPort: "free",
      persistTo: options.persistTo,
      vars: {
        CALLBACK_USERNAME: CALLBACK_CREDENTIALS.username,
        CALLBACK_PASSWORD: CALLBACK_CREDENTIALS.password,
        ADMIN_TOKEN,
        DOWNSTREAM_SECRET,
        DOWNSTREAM_URL: options.downstreamUrl,
        ALLOW_LOOPBACK_DOWNSTREAM: "true",
        ...FAST_TUNING,
        ...options.vars,
      },
      ...(options.sourceDir ? { cwd: options.sourceDir } : {}),
      ...(options.auxiliaryConfigs?.length || options.config
        ? { config: options.config ?? "wrangler.toml" }
        : {}),
      extraArgs: [
        ...(options.auxiliaryConfigs ?? []).flatMap((config) => ["--config", config]),
        ...Object.entries(options.define ?? {}).flatMap(([name, value]) => ["--define", `${name}:${value}`]),
      ],
      env: {
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        ...(options.devRegistry ? { WRANGLER_REGISTRY_PATH: options.devRegistry } : {}),
      },
    });
  }

  /** The base URL, e.g. `http://127.0.0.1:41234` (changes on restart). */
  get baseUrl(): string {
    return this.wrangler.baseUrl;
  }

  /** The process group of the running `wrangler dev` (wrangler and its workerd), for the bench's CPU figures. */
  get pgid(): number {
    return this.wrangler.pgid;
  }

  /** The last `chars` characters of wrangler's output, across restarts. */
  logTail(chars = 6_000): string {
    return this.wrangler.log(chars);
  }

  /**
   * Applies the message index's migrations (before the first start only: restarts keep `--persist-to`), starts
   * `wrangler dev` and waits until `/healthz` answers 200 with `configured: true`.
   */
  async start(): Promise<void> {
    if (!this.migrated) {
      const { persistTo, sourceDir } = this.options;
      await applyLocalMigrations({
        persistTo,
        ...(sourceDir ? { cwd: sourceDir } : {}),
        ...(this.options.config ? { config: this.options.config } : {}),
      });
      this.migrated = true;
    }
    await this.wrangler.start();
    try {
      await this.wrangler.waitReady(configured, this.options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await this.wrangler.kill();
      throw new Error(`${String(error)}\n--- wrangler output (tail) ---\n${this.logTail()}`);
    }
  }

  /** Stops the whole process group (wrangler and workerd) and waits until every process of it is gone. */
  stop(options: StopOptions = {}): Promise<void> {
    return this.wrangler.stop(options);
  }

  /** Stops (by default with SIGKILL, like a crash) and starts again with the same `--persist-to`. */
  async restart(options: StopOptions = { signal: "SIGKILL" }): Promise<void> {
    await this.stop(options);
    await this.start();
  }
}

/** Starts a receiver (see {@link Receiver.start}). */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const receiver = new Receiver(options);
  await receiver.start();
  return receiver;
}
