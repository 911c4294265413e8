/**
 * Messages for the console's browser tests: Bandwidth events built with the shared builders, changed where a
 * test needs it (an XSS payload in the text, a recent time for the statistics), posted to the receiver, and
 * waited for until the operator API shows them.
 */
import { expect } from "vitest";
import { waitFor } from "../../../harness/wait.ts";
import type { BandwidthEventInput } from "../../../src/bandwidth/schema.ts";
import type { MessageView } from "../../e2e/harness/answers.ts";
import { getMessage } from "../../e2e/harness/api.ts";
import { postCallback } from "../../e2e/harness/client.ts";
import type { Stack } from "../../e2e/harness/stack.ts";

/** Markup that would run if the console ever rendered a value as HTML. */
export const XSS = {
  img: "<img src=x onerror=alert(1)>",
  script: "<script>alert(2)</script>",
  svg: '"><svg onload=alert(3)>',
} as const;

/** `event` with fields of its `message` replaced or added. */
export function withMessage(
  event: BandwidthEventInput,
  fields: Record<string, unknown>,
): BandwidthEventInput {
  return { ...event, message: { ...event.message, ...fields } } as BandwidthEventInput;
}

/** Posts `events` (one callback each) and checks that each was accepted. */
export async function post(stack: Stack, events: readonly BandwidthEventInput[]): Promise<void> {
  for (const event of events) {
    const ack = await postCallback(stack.receiver, [event]);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
  }
}

/** Waits until `GET /messages/:id` shows `events` events, none pending any more; returns the view. */
export function settledMessage(stack: Stack, id: string, events: number): Promise<MessageView> {
  return waitFor(
    async () => {
      const view = await getMessage(stack.receiver, id);
      const done =
        view?.events.length === events &&
        view.events.every((e) => Object.values(e.forwarding).every((d) => d.state !== "pending"));
      return done && view;
    },
    20_000,
    `message ${id} with ${events} settled events`,
  );
}
