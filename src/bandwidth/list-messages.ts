/**
 * Bandwidth's List Messages API (`GET /users/{accountId}/messages`): the `listMessageItem` schema, tolerant of
 * new fields and new values (kept as they came), and strict only about what reconciliation reads.
 * Source: Bandwidth's OpenAPI document (components/schemas/listMessageItem, messagesList).
 */
import * as v from "valibot";

const OptionalText = v.nullish(v.string());
const OptionalInteger = v.nullish(v.pipe(v.number(), v.integer()));

/**
 * One message (one recipient of it) as List Messages reports it. `messageStatus` is one of RECEIVED, QUEUED,
 * SENDING, SENT, FAILED, DELIVERED, ACCEPTED, UNDELIVERED today (DLR_EXPIRED is seen in Bandwidth's own
 * examples); any other string is kept, never refused.
 */
export const ListMessageItemSchema = v.looseObject({
  messageId: v.pipe(v.string(), v.nonEmpty()),
  messageStatus: v.pipe(v.string(), v.nonEmpty()),
  accountId: OptionalText,
  sourceTn: OptionalText,
  destinationTn: OptionalText,
  messageDirection: OptionalText,
  messageType: OptionalText,
  segmentCount: OptionalInteger,
  errorCode: OptionalInteger,
  receiveTime: OptionalText,
  carrierName: OptionalText,
  messageSize: OptionalInteger,
  messageLength: OptionalInteger,
  attachmentCount: OptionalInteger,
  recipientCount: OptionalInteger,
  campaignClass: OptionalText,
  campaignId: OptionalText,
  bwLatency: v.nullish(v.number()),
  carrierLatency: v.nullish(v.number()),
  callingNumberCountryA3: OptionalText,
  calledNumberCountryA3: OptionalText,
  product: OptionalText,
  location: OptionalText,
});

export type ListMessageItemInput = v.InferInput<typeof ListMessageItemSchema>;
export type ListMessageItem = v.InferOutput<typeof ListMessageItemSchema>;

/** The answer's envelope; its items are checked one by one so that one odd item does not hide the others. */
const MessagesListSchema = v.looseObject({
  totalCount: v.optional(v.number()),
  messages: v.array(v.unknown()),
});

/** The items of one List Messages answer, and how many items could not be read. */
export interface MessagesList {
  items: ListMessageItem[];
  unreadable: number;
}

/** Reads a List Messages answer body; undefined when it is not a messages list at all. */
export function readMessagesList(body: unknown): MessagesList | undefined {
  const list = v.safeParse(MessagesListSchema, body);
  if (!list.success) return undefined;
  const items: ListMessageItem[] = [];
  let unreadable = 0;
  for (const raw of list.output.messages) {
    const item = v.safeParse(ListMessageItemSchema, raw);
    if (item.success) items.push(item.output);
    else unreadable += 1;
  }
  return { items, unreadable };
}
