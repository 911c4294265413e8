/**
 * The index scenario's data (`npm run bench -- --scenario index`): a seeded set of messages' index rows, shaped
 * as src/message/index-rows.ts shapes them, and the SQL that bulk-loads them into a local D1 with
 * `wrangler d1 execute --local --file` (bench and test use only, never a route of the Worker). Pure.
 */
import { integerBetween, seededRandom } from "../../harness/random.ts";
import { INDEX_COLUMNS, indexValues, type SqlValue } from "../../src/index-db/columns.ts";
import type { MessageIndexRows, RecipientRow } from "../../src/message/index-rows.ts";

/** How many messages, over which time span, with which seed. */
export interface IndexDataPlan {
  messages: number;
  seed: number;
  /** The newest message's time (epoch milliseconds); the others spread evenly back over `spanMs`. */
  end: number;
  spanMs: number;
}

/** Values the bench searches for: they exist in the generated data. */
export interface IndexDataProbes {
  applicationId: string;
  from: string;
  to: string;
  tag: string;
}

export const APPLICATIONS = Array.from({ length: 5 }, (_, i) => `bench-app-${i + 1}`);
const TAGS = Array.from({ length: 20 }, (_, i) => `campaign-${i + 1}`);
const SENDERS = Array.from({ length: 50 }, (_, i) => `+1555100${String(i).padStart(4, "0")}`);
const CARRIERS = ["T-Mobile", "AT&T", "Verizon", "US Cellular", "Rogers", "Bell"];
/** Error codes of failed recipients, most frequent first (9902: no receipt, not necessarily undelivered). */
const ERROR_CODES = [4720, 4720, 4720, 9902, 9902, 4750, 4750, 4770, 5600, 4432, 9999, 4775];
/** Recipients are drawn from this many numbers, so that one appears in a few messages. */
const RECIPIENT_POOL = 40_000;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function recipientNumber(n: number): string {
  return `+1555${String(2_000_000 + n).padStart(7, "0")}`;
}

function outboundRecipient(random: () => number, recipient: string, time: number): RecipientRow {
  const roll = random();
  const carrier = pick(random, CARRIERS);
  if (roll < 0.02) return { recipient, status: "sending", errorCode: null, carrier: null, deliveredAt: null };
  if (roll < 0.05) return { recipient, status: "sent", errorCode: null, carrier: null, deliveredAt: null };
  if (roll < 0.11)
    return { recipient, status: "failed", errorCode: pick(random, ERROR_CODES), carrier, deliveredAt: null };
  // Delivered within half a second to about a minute, skewed towards fast.
  const deliveredAt = time + 500 + Math.round(random() ** 3 * 60_000);
  return { recipient, status: roll < 0.12 ? "read" : "delivered", errorCode: null, carrier, deliveredAt };
}

/** The index rows of the `index`-th message of the plan. */
function messageRows(plan: IndexDataPlan, random: () => number, index: number): MessageIndexRows {
  const time =
    plan.end - Math.floor(((plan.messages - 1 - index) * plan.spanMs) / Math.max(plan.messages, 1));
  const ours = pick(random, SENDERS);
  const someone = () => recipientNumber(integerBetween(random, 0, RECIPIENT_POOL - 1));
  const outbound = random() < 0.85;
  const count = outbound && random() < 0.1 ? integerBetween(random, 2, 5) : 1;
  const to = outbound ? [...new Set(Array.from({ length: count }, someone))].sort() : [ours];
  const recipients: RecipientRow[] = outbound
    ? to.map((recipient) => outboundRecipient(random, recipient, time))
    : [{ recipient: ours, status: "received", errorCode: null, carrier: null, deliveredAt: null }];
  const statuses = new Set(recipients.map((r) => r.status));
  const codes = recipients.flatMap((r) => (r.errorCode === null ? [] : [r.errorCode]));
  return {
    summary: {
      id: `bench-${plan.seed}-${String(index).padStart(7, "0")}`,
      direction: outbound ? "outbound" : "inbound",
      from: outbound ? ours : someone(),
      to,
      applicationId: pick(random, APPLICATIONS),
      tag: outbound && random() < 0.7 ? pick(random, TAGS) : null,
      status: statuses.size === 1 ? ([...statuses][0] ?? "unknown") : "mixed",
      errorCodes: [...new Set(codes)].sort((a, b) => a - b),
      segmentCount: integerBetween(random, 1, 3),
      time,
      updatedAt: time + 60_000,
      pending: 0,
      dead: 0,
      quarantined: 0,
      unrouted: 0,
      // A sending and a final status per outbound recipient; one event inbound.
      events: outbound ? recipients.length * 2 : 1,
      reconciliation: null,
    },
    recipients,
  };
}

/** Every message of the plan, oldest first, the same for the same plan. */
export function generateIndexRows(plan: IndexDataPlan): MessageIndexRows[] {
  const random = seededRandom(plan.seed);
  return Array.from({ length: plan.messages }, (_, index) => messageRows(plan, random, index));
}

/** Values to search for that the generated rows hold: those of the newest outbound message. */
export function probesOf(rows: readonly MessageIndexRows[]): IndexDataProbes {
  const newest = rows.findLast((row) => row.summary.direction === "outbound" && row.summary.tag !== null);
  const summary = newest?.summary;
  if (!summary || summary.applicationId === null || summary.tag === null)
    throw new RangeError("no outbound message");
  return {
    applicationId: summary.applicationId,
    from: summary.from,
    to: summary.to[0] ?? "",
    tag: summary.tag,
  };
}

/** An SQL literal: NULL, a number, or a string in single quotes (quotes doubled). */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError("not a finite number");
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function insert(table: string, columns: readonly string[], rows: readonly SqlValue[][]): string {
  const values = rows.map((row) => `(${row.map(sqlLiteral).join(",")})`).join(",\n");
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES\n${values};\n`;
}

/**
 * The SQL that inserts `rows` into the index's table, `perStatement` rows per INSERT (D1 refuses statements
 * over 100 KB), in the columns writeMessage fills (src/index-db/columns.ts).
 */
export function bulkInsertSql(rows: readonly MessageIndexRows[], perStatement = 200): string {
  const parts: string[] = [];
  for (let at = 0; at < rows.length; at += perStatement) {
    const chunk = rows.slice(at, at + perStatement);
    parts.push(insert("message_index", INDEX_COLUMNS, chunk.map(indexValues)));
  }
  return parts.join("");
}
