/**
 * The operator API, read and checked against the shapes the tests rely on.
 */
import * as v from "valibot";
import type { Receiver } from "../../../harness/receiver.ts";
import { type DeadLetterPage, DeadLetterPageSchema, type MessageView, MessageViewSchema } from "./answers.ts";
import { admin } from "./client.ts";

/** `GET /messages/:id`: the view, or undefined on 404. Throws on any other status or an unexpected shape. */
export async function getMessage(receiver: Receiver, id: string): Promise<MessageView | undefined> {
  const response = await admin(receiver, "GET", `/messages/${encodeURIComponent(id)}`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET /messages/${id} answered ${response.status}`);
  return v.parse(MessageViewSchema, response.body);
}

/** `GET /dead-letters` (first page, up to 1000 items). Throws on a non-200 or an unexpected shape. */
export async function getDeadLetters(receiver: Receiver): Promise<DeadLetterPage> {
  const response = await admin(receiver, "GET", "/dead-letters?limit=1000");
  if (response.status !== 200) throw new Error(`GET /dead-letters answered ${response.status}`);
  return v.parse(DeadLetterPageSchema, response.body);
}

/** Whether every event of `view` has forwarding state `state` (and there is at least one event). */
export function allEventsIn(
  view: MessageView | undefined,
  state: "pending" | "delivered" | "dead",
): view is MessageView {
  return (
    view !== undefined &&
    view.events.length > 0 &&
    view.events.every((e) => e.forwarding.default?.state === state)
  );
}
