/**
 * A destination's health, as pure functions: `failing` after 5 consecutive failed attempts (across messages)
 * spanning at least 60 s, `healthy` again after a success. Each change is an operator event, a CloudEvent
 * `com.bandwidth-edge-receiver.destination.failing` / `.recovered`, for the destinations whose filter says
 * `operator: true`. Pausing is a separate flag: a paused destination keeps its health.
 *
 * Trackers report only after a failure and after the first success that follows one, several trackers at
 * once: an outcome older than the news already applied is stale and ignored (a failure older than the last
 * success, a success older than the last failure), so that a late report cannot undo a newer one.
 */
import * as v from "valibot";

/** Consecutive failed attempts before a destination is failing... */
export const FAILING_AFTER_FAILURES = 5;
/** ...provided they span at least this long, so that one burst of retries is not an outage. */
export const FAILING_AFTER_SPAN_MS = 60_000;

/** One attempt's result as a tracker reports it. */
export interface AttemptResult {
  ok: boolean;
  /** When the attempt ended, ms since the epoch. */
  at: number;
  /** A short description of the failure, never a URL or a secret (e.g. outbox.ts's describeOutcome). */
  error?: string;
}

/** What a destination's health object keeps. */
export interface HealthState {
  state: "healthy" | "failing";
  /** Failing: when the run of failures began. Healthy: when it last recovered (absent if it never failed). */
  since?: number;
  consecutiveFailures: number;
  /** The earliest and latest failure of the current run. */
  firstFailureAt?: number;
  lastFailureAt?: number;
  lastSuccessAt?: number;
  lastError?: string;
  paused: boolean;
  pausedAt?: number;
}

/** The answer of the health object's `status()`. */
export interface DestinationStatus {
  state: "healthy" | "failing";
  since?: string;
  consecutiveFailures?: number;
  lastError?: string;
  paused: boolean;
  pausedAt?: string;
}

const OPERATOR_TYPE_PREFIX = "com.bandwidth-edge-receiver.destination.";

/** The operator event sent when a destination's health changes. */
export const OperatorEventSchema = v.object({
  specversion: v.literal("1.0"),
  id: v.pipe(v.string(), v.description("stable for one change: retries carry the same id")),
  source: v.pipe(v.string(), v.startsWith("/bandwidth-edge-receiver/destinations/")),
  type: v.picklist([`${OPERATOR_TYPE_PREFIX}failing`, `${OPERATOR_TYPE_PREFIX}recovered`]),
  subject: v.pipe(v.string(), v.description("the destination's name")),
  time: v.pipe(v.string(), v.description("when the change happened")),
  datacontenttype: v.literal("application/json"),
  data: v.object({
    destination: v.string(),
    state: v.picklist(["failing", "healthy"]),
    consecutiveFailures: v.pipe(
      v.number(),
      v.integer(),
      v.description("failing: the failures so far; recovered: the failures the success ended"),
    ),
    lastError: v.optional(v.string()),
    since: v.pipe(v.string(), v.description("failing: the run's first failure; recovered: the success")),
  }),
});

export type OperatorEvent = v.InferOutput<typeof OperatorEventSchema>;

/**
 * The shortest time between two failure reports of one destination from one isolate: an outage at thousands of
 * attempts a second then costs its health object a report per isolate per second, not one per attempt, and
 * "5 failures over 60 s" is still seen.
 */
export const FAILURE_REPORT_GAP_MS = 1_000;

/**
 * Whether a tracker reports an attempt's result to the destination's health object: a failure, unless this
 * isolate reported one for that destination less than FAILURE_REPORT_GAP_MS ago; a success only when it
 * follows a failure this tracker saw for that destination, or while the destination is known to be failing
 * (its failures were other trackers', or belonged to an event that has since died, and nobody else would report
 * the success that ends them). Healthy destinations thus cost no report at all.
 */
export function shouldReport(
  ok: boolean,
  seen: { lastAttemptFailed: boolean; destinationFailing: boolean; sinceFailureReportMs: number },
): boolean {
  if (!ok) return seen.sinceFailureReportMs >= FAILURE_REPORT_GAP_MS;
  return seen.lastAttemptFailed || seen.destinationFailing;
}

/** A destination that has never been reported on. */
export function initialHealth(): HealthState {
  return { state: "healthy", consecutiveFailures: 0, paused: false };
}

/** Applies a batch of attempt results (in time order) and returns the new state and the changes it made. */
export function applyResults(
  state: HealthState,
  name: string,
  results: readonly AttemptResult[],
): { state: HealthState; events: OperatorEvent[] } {
  let current = state;
  const events: OperatorEvent[] = [];
  for (const result of [...results].sort((a, b) => a.at - b.at)) {
    const next = result.ok ? applySuccess(current, result.at) : applyFailure(current, result);
    if (next.state !== current.state) events.push(operatorEvent(name, next, current, result.at));
    current = next;
  }
  return { state: current, events };
}

function applyFailure(state: HealthState, result: AttemptResult): HealthState {
  if (state.lastSuccessAt !== undefined && result.at < state.lastSuccessAt) return state;
  const firstFailureAt = Math.min(state.firstFailureAt ?? result.at, result.at);
  const latest = state.lastFailureAt === undefined || result.at >= state.lastFailureAt;
  const next: HealthState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    firstFailureAt,
    lastFailureAt: latest ? result.at : state.lastFailureAt,
    lastError: latest ? boundedError(result.error) : state.lastError,
  };
  const spanMs = (next.lastFailureAt ?? result.at) - firstFailureAt;
  if (
    state.state === "healthy" &&
    next.consecutiveFailures >= FAILING_AFTER_FAILURES &&
    spanMs >= FAILING_AFTER_SPAN_MS
  ) {
    return { ...next, state: "failing", since: firstFailureAt };
  }
  return next;
}

function applySuccess(state: HealthState, at: number): HealthState {
  if (state.lastFailureAt !== undefined && at < state.lastFailureAt) return state;
  const lastSuccessAt = Math.max(state.lastSuccessAt ?? at, at);
  const { paused, pausedAt } = state;
  const recovered: HealthState = {
    state: "healthy",
    consecutiveFailures: 0,
    lastSuccessAt,
    paused,
    ...(pausedAt === undefined ? {} : { pausedAt }),
  };
  if (state.state === "failing") return { ...recovered, since: at };
  return state.since === undefined ? recovered : { ...recovered, since: state.since };
}

/** The operator event of the change from `before` to `after`, which `at` caused. */
function operatorEvent(name: string, after: HealthState, before: HealthState, at: number): OperatorEvent {
  const failing = after.state === "failing";
  const since = failing ? (after.since ?? at) : at;
  const kind = failing ? "failing" : "recovered";
  const lastError = failing ? after.lastError : before.lastError;
  return {
    specversion: "1.0",
    id: `${kind}:${name}:${since}`,
    source: `/bandwidth-edge-receiver/destinations/${name}`,
    type: `${OPERATOR_TYPE_PREFIX}${kind}`,
    subject: name,
    time: new Date(at).toISOString(),
    datacontenttype: "application/json",
    data: {
      destination: name,
      state: after.state,
      consecutiveFailures: failing ? after.consecutiveFailures : before.consecutiveFailures,
      ...(lastError === undefined ? {} : { lastError }),
      since: new Date(since).toISOString(),
    },
  };
}

/** Pauses or resumes; pausing again keeps the first pause's time. */
export function setPaused(state: HealthState, paused: boolean, now: number): HealthState {
  const { pausedAt: _, ...rest } = state;
  if (!paused) return { ...rest, paused: false };
  return { ...rest, paused: true, pausedAt: state.paused ? (state.pausedAt ?? now) : now };
}

/** The status an operator (and a tracker) sees. */
export function statusOf(state: HealthState): DestinationStatus {
  const status: DestinationStatus = { state: state.state, paused: state.paused };
  if (state.since !== undefined) status.since = new Date(state.since).toISOString();
  if (state.consecutiveFailures > 0) status.consecutiveFailures = state.consecutiveFailures;
  if (state.consecutiveFailures > 0 && state.lastError !== undefined) status.lastError = state.lastError;
  if (state.paused && state.pausedAt !== undefined) status.pausedAt = new Date(state.pausedAt).toISOString();
  return status;
}

/**
 * An error text fit for logs and operator events: URLs (which may carry a path, a query or a token) are
 * replaced and the text is cut to 200 characters.
 */
export function boundedError(error: string | undefined): string | undefined {
  if (error === undefined) return undefined;
  return error.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<url>").slice(0, 200);
}
