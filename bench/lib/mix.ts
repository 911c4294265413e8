/**
 * The bench's realistic traffic: Bandwidth status callbacks for outbound messages, planned request by request.
 * Per message one `message-sending`, then per recipient one `message-delivered` (or `message-failed` with an
 * errorCode); some messages go to a group; some callbacks are sent again byte for byte, as Bandwidth's retries
 * are. A message's follow-ups are released only once its sending request was answered, so a delivered
 * callback never overtakes its sending one.
 */
import { integerBetween, seededRandom } from "../../harness/random.ts";

/** The shares of each kind of traffic. */
export interface MixShares {
  /** Share of messages sent to a group. */
  group: number;
  /** Fewest and most recipients of a group message. */
  groupMin: number;
  groupMax: number;
  /** Share of recipients whose outcome is `message-failed` instead of `message-delivered`. */
  failure: number;
  /** Share of requests that repeat the exact body of an already answered callback. */
  retry: number;
}

/** About 10 % groups of 2–5, 5 % failures, 2 % Bandwidth retries. */
export const DEFAULT_MIX: MixShares = { group: 0.1, groupMin: 2, groupMax: 5, failure: 0.05, retry: 0.02 };

/** One callback request to send. */
export interface PlannedRequest {
  /** 0-based, in planning order. */
  id: number;
  /** The JSON body, exactly as sent. */
  body: string;
  /** The keys ({@link eventKey}) of the events it carries. */
  events: string[];
  /** The request whose body this one repeats, for a Bandwidth retry. */
  retryOf?: number;
}

/** Counts of what was planned so far. */
export interface MixCounts {
  messages: number;
  groupMessages: number;
  requests: number;
  retries: number;
  failures: number;
}

/** Identifies one event independently of the receiver's event ids: message, Bandwidth type and recipient. */
export function eventKey(messageId: string, type: string, recipient: string): string {
  return `${messageId} ${type} ${recipient}`;
}

/** The message id of an {@link eventKey}. */
export function messageIdOfKey(key: string): string {
  return key.slice(0, key.indexOf(" "));
}

const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
const BASE_TIME_MS = Date.UTC(2025, 0, 6, 15, 0, 0);
const ERROR_CODES = [4432, 4720, 4750, 4770, 5620, 9902] as const;
/** How many answered originals a retry is drawn from: Bandwidth retries recent callbacks. */
const RETRY_WINDOW = 256;

interface FollowUp {
  request: Omit<PlannedRequest, "id">;
  failed: boolean;
}

/** Plans requests one at a time; {@link MixPlanner.answered} releases what waited for an answer. */
export class MixPlanner {
  private readonly random: () => number;
  private readonly shares: MixShares;
  private readonly prefix: string;
  /** Follow-ups per sending request, released when it is answered. */
  private readonly waiting = new Map<number, FollowUp[]>();
  private readonly ready: PlannedRequest[] = [];
  /** Originals sent and not answered yet. */
  private readonly unanswered = new Map<number, PlannedRequest>();
  /** Recently answered originals, which a retry may repeat. */
  private readonly retryable: PlannedRequest[] = [];
  private nextId = 0;
  private readonly counts: MixCounts = {
    messages: 0,
    groupMessages: 0,
    requests: 0,
    retries: 0,
    failures: 0,
  };

  /** @param seed the same seed gives the same bodies in the same circumstances. */
  constructor(shares: MixShares, seed: number) {
    this.shares = shares;
    this.random = seededRandom(seed);
    this.prefix = `bench${seed.toString(36)}`;
  }

  /** What was planned so far. */
  planned(): MixCounts {
    return { ...this.counts };
  }

  /** The next request: a retry, a released follow-up, or a new message's sending callback. */
  next(): PlannedRequest {
    const original = this.retryable[Math.floor(this.random() * this.retryable.length)];
    if (original && this.random() < this.shares.retry) {
      this.counts.retries++;
      return this.plan({ body: original.body, events: original.events, retryOf: original.id });
    }
    const followUp = this.ready.shift();
    if (followUp) return followUp;
    return this.startMessage();
  }

  /** Records that request `id` was answered (`ok`: with a 2xx): its follow-ups may be sent now. */
  answered(id: number, ok: boolean): void {
    const released = this.waiting.get(id);
    if (released) {
      this.waiting.delete(id);
      for (const { request, failed } of released) {
        if (failed) this.counts.failures++;
        this.ready.push(this.plan(request));
      }
    }
    const request = this.unanswered.get(id);
    this.unanswered.delete(id);
    if (!ok || !request) return;
    this.retryable.push(request);
    if (this.retryable.length > RETRY_WINDOW) this.retryable.shift();
  }

  private plan(request: Omit<PlannedRequest, "id">): PlannedRequest {
    const planned: PlannedRequest = { ...request, id: this.nextId++ };
    this.counts.requests++;
    if (planned.retryOf === undefined) this.unanswered.set(planned.id, planned);
    return planned;
  }

  private startMessage(): PlannedRequest {
    const index = this.counts.messages++;
    const isGroup = this.random() < this.shares.group;
    const recipientCount = isGroup
      ? integerBetween(this.random, this.shares.groupMin, this.shares.groupMax)
      : 1;
    if (isGroup) this.counts.groupMessages++;
    const recipients = Array.from({ length: recipientCount }, () => this.phoneNumber());
    const from = this.phoneNumber();
    const message = {
      id: `${this.prefix}${index.toString(36).padStart(6, "0")}${this.randomSuffix()}`,
      owner: from,
      applicationId: APPLICATION_ID,
      time: rfc3339(index * 10),
      segmentCount: integerBetween(this.random, 1, 2),
      direction: "out",
      to: recipients,
      from,
      text: "",
      tag: `campaign-${index % 7}`,
    };
    const first = recipients[0] ?? "";
    const sending = this.plan(
      callback({ type: "message-sending", message, recipient: first, timeMs: index * 10 + 50 }),
    );
    const followUps = recipients.map((recipient, position): FollowUp => {
      const timeMs = index * 10 + 2_000 + position;
      if (this.random() >= this.shares.failure) {
        return {
          request: callback({ type: "message-delivered", message, recipient, timeMs }),
          failed: false,
        };
      }
      const errorCode = ERROR_CODES[Math.floor(this.random() * ERROR_CODES.length)] ?? 4432;
      const request = callback({ type: "message-failed", message, recipient, timeMs, errorCode });
      return { request, failed: true };
    });
    this.waiting.set(sending.id, followUps);
    return sending;
  }

  private phoneNumber(): string {
    return `+1555${String(integerBetween(this.random, 0, 9_999_999)).padStart(7, "0")}`;
  }

  private randomSuffix(): string {
    return Math.floor(this.random() * 36 ** 8)
      .toString(36)
      .padStart(8, "0");
  }
}

const DESCRIPTIONS: Record<string, string> = {
  "message-sending": "Message is sending to carrier",
  "message-delivered": "Message delivered to carrier.",
  "message-failed": "rejected-forbidden-country",
};

function callback(input: {
  type: string;
  message: { id: string };
  recipient: string;
  timeMs: number;
  errorCode?: number;
}): Omit<PlannedRequest, "id"> {
  const event: Record<string, unknown> = {
    type: input.type,
    time: rfc3339(input.timeMs),
    description: DESCRIPTIONS[input.type] ?? "ok",
    to: input.recipient,
    message: input.message,
  };
  if (input.errorCode !== undefined) event.errorCode = input.errorCode;
  return {
    body: JSON.stringify([event]),
    events: [eventKey(input.message.id, input.type, input.recipient)],
  };
}

function rfc3339(offsetMs: number): string {
  return new Date(BASE_TIME_MS + offsetMs).toISOString();
}
