/**
 * The filter of GET /messages and POST /replay as SQL over the index's rows (`message_index m`): equality on
 * the row's columns, `to` in its recipient columns, `errorCode` in its JSON list of codes, a time range on the message's time (the row's
 * key), and a keyset position.
 */

/** Which messages: every field given must match (times are epoch milliseconds). */
export interface MessageFilter {
  status?: string;
  direction?: "inbound" | "outbound";
  applicationId?: string;
  from?: string;
  /** Any recipient of the message. */
  to?: string;
  tag?: string;
  /** `given-up`: messages reconciliation gave up on. */
  reconciliation?: "given-up";
  /** `unrouted`: messages with an event no destination's filter took. */
  forwarding?: "unrouted";
  /** Any failed recipient's error code. */
  errorCode?: number;
  /** The message's time is at or after this. */
  since?: number;
  /** The message's time is before this. */
  until?: number;
}

/** A place in the index's order (message time, then id): where a page or a batch ends. */
export interface MessagePosition {
  time: number;
  id: string;
}

/** Bound parameters numbered as they are added (`?1`, `?2`, …). */
export class SqlParameters {
  readonly values: (string | number | null)[] = [];

  /** Adds `value` and returns its placeholder. */
  add(value: string | number | null): string {
    this.values.push(value);
    return `?${this.values.length}`;
  }
}

/**
 * The conditions on the index's rows `m` that `filter` and (for a keyset page) `after` stand for, in the
 * direction of the listing: `desc` lists newest first, so the rows after a position are older.
 */
export function filterConditions(
  filter: MessageFilter,
  params: SqlParameters,
  after?: { position: MessagePosition; order: "asc" | "desc" },
): string[] {
  const conditions: string[] = [];
  const equal = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(`m.${column} = ${params.add(value)}`);
  };
  equal("status", filter.status);
  equal("direction", filter.direction);
  equal("application_id", filter.applicationId);
  equal("sender", filter.from);
  equal("tag", filter.tag);
  equal("reconciliation", filter.reconciliation);
  if (filter.forwarding === "unrouted") conditions.push("m.unrouted > 0");
  if (filter.to !== undefined) {
    // The one recipient's column; for a group, a cheap test of the JSON's text (the address as JSON writes
    // it), then the exact one.
    const address = params.add(filter.to);
    const quoted = params.add(JSON.stringify(filter.to));
    conditions.push(
      `(m.recipient = ${address} OR (m.outcomes IS NOT NULL AND instr(m.outcomes, ${quoted}) > 0
        AND EXISTS (SELECT 1 FROM json_each(m.outcomes) o WHERE o.value ->> 0 = ${address})))`,
    );
  }
  if (filter.errorCode !== undefined) {
    // `error_codes <> '[]'` lets SQLite read the partial index of failed messages.
    conditions.push(
      `m.error_codes <> '[]' AND EXISTS (SELECT 1 FROM json_each(m.error_codes) e WHERE e.value = ${params.add(filter.errorCode)})`,
    );
  }
  if (filter.since !== undefined) conditions.push(`m.time >= ${params.add(filter.since)}`);
  if (filter.until !== undefined) conditions.push(`m.time < ${params.add(filter.until)}`);
  if (after) {
    const comparison = after.order === "desc" ? "<" : ">";
    const time = params.add(after.position.time);
    conditions.push(`(m.time, m.id) ${comparison} (${time}, ${params.add(after.position.id)})`);
  }
  return conditions;
}

/** `WHERE …` for `conditions`, or nothing. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : `WHERE ${conditions.join(" AND ")}`;
}
