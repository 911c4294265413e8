// @ts-check
/**
 * How figures read on the page: rates, durations, times and what an error code's range means. Pure.
 */

/** A rate in [0, 1] as a percentage with one decimal, or an em dash when there is none. @param {number | null} rate */
export function percent(rate) {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)} %`;
}

/** Milliseconds as `850 ms`, `12.3 s`, `4.5 min` or `2.0 h`; an em dash when absent. @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** An RFC 3339 time as `2026-11-30 08:41:05Z` (UTC, as stored); anything unparsable as given. @param {string | undefined} time */
export function utc(time) {
  if (!time) return "";
  const at = Date.parse(time);
  if (Number.isNaN(at)) return time;
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** The hour of an RFC 3339 time, `08:00`. @param {string} time */
export function hourLabel(time) {
  const at = Date.parse(time);
  return Number.isNaN(at) ? time : `${new Date(at).toISOString().slice(11, 13)}:00`;
}

/**
 * What Bandwidth's error code ranges mean (DESIGN.md): the class of a code whose own meaning the console does
 * not know. 9902 is the absence of a receipt, not a failure to deliver.
 * @param {number} code
 */
export function errorCodeClass(code) {
  if (code === 9902) return "no delivery receipt within about 2 h (not proof of non-delivery)";
  if (code === 9999) return "unknown error";
  if (code >= 4700 && code <= 4799) return "rejected by the carrier";
  if (code >= 4000 && code <= 4999) return "client error";
  if (code >= 5000 && code <= 5999) return "service error";
  return "error";
}
