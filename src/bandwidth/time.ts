/**
 * RFC 3339 timestamps as Bandwidth sends them, and an order-preserving key for comparing them.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Whether `value` is a real RFC 3339 date-time from 1970 on (calendar and clock ranges checked, leap second allowed). */
export function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s, , , oh, om] = match.map(Number) as number[];
  if (mo === undefined || d === undefined || y === undefined) return false;
  // Callbacks describe messages sent in the Unix era; earlier years are typos, and Date maps years < 100.
  if (y < 1970) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return false;
  if ((h ?? 0) > 23 || (mi ?? 0) > 59 || (s ?? 0) > 60) return false;
  if (match[8] !== undefined && ((oh ?? 0) > 23 || (om ?? 0) > 59)) return false;
  // An offset can carry 1970-01-01 back into 1969; instantKey needs non-negative instants.
  return Date.parse(value.replace(/:60(?=[.Zz+-])/, ":59")) >= 0;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A string that sorts like the instant `value` denotes, at nanosecond precision, whatever its offset and
 * number of fractional digits. `value` must satisfy {@link isRfc3339}.
 */
export function instantKey(value: string): string {
  const match = RFC3339.exec(value);
  if (!match) throw new TypeError("instantKey needs an RFC 3339 time");
  const fraction = (match[7] ?? "").padEnd(9, "0");
  const whole = value.slice(0, 19).replace(/[Tt]/, "T");
  const offset = match[8] ? `${match[8]}${match[9]}:${match[10]}` : "Z";
  // A leap second (":60") is folded onto the next second, as Date does.
  const seconds = Math.floor(Date.parse(`${whole.replace(/:60$/, ":59")}${offset}`) / 1000);
  const leap = whole.endsWith(":60") ? 1 : 0;
  return `${String(seconds + leap).padStart(12, "0")}.${fraction}`;
}
