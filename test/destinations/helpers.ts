/**
 * What the destinations tests share: the forwards one destination received for a message, with their
 * signatures checked against that destination's own secret.
 */
import { expect } from "vitest";
import { signWebhook } from "../../src/forward/sign.ts";
import { forwardsOf } from "../helpers/http.ts";
import { waitFor } from "../helpers/wait.ts";
import { DESTINATIONS, SECRETS } from "./bindings.ts";

/** One forward to one destination, parsed. */
export interface Received {
  id: string;
  type: string;
  sequence: string;
  signatureOk: boolean;
}

/** The forwards `destination` received for `messageId`, in arrival order, each signature checked. */
export async function receivedBy(destination: keyof typeof SECRETS, messageId: string): Promise<Received[]> {
  const url = DESTINATIONS.find((d) => d.name === destination)?.url;
  const forwards = (await forwardsOf(messageId)).filter((f) => f.url === url);
  return Promise.all(
    forwards.map(async (f) => {
      const body = JSON.parse(f.body) as { id: string; type: string; sequence: string };
      const id = f.headers["webhook-id"] ?? "";
      const expected = await signWebhook(
        [SECRETS[destination]],
        id,
        Number(f.headers["webhook-timestamp"]),
        f.body,
      );
      return {
        id: body.id,
        type: body.type,
        sequence: body.sequence,
        signatureOk: f.headers["webhook-signature"] === expected,
      };
    }),
  );
}

/** Waits until `destination` has received `count` distinct events of `messageId`, then returns them all. */
export async function waitForReceived(
  destination: keyof typeof SECRETS,
  messageId: string,
  count: number,
  timeoutMs = 15_000,
): Promise<Received[]> {
  return waitFor(
    async () => {
      const received = await receivedBy(destination, messageId);
      return new Set(received.map((r) => r.id)).size >= count ? received : undefined;
    },
    timeoutMs,
    `${count} event(s) of ${messageId} at ${destination}`,
  );
}

/** The first delivery of each event, in arrival order: what a consumer deduplicating on `id` keeps. */
export function firstDeliveries(received: readonly Received[]): Received[] {
  const seen = new Set<string>();
  return received.filter((r) => !seen.has(r.id) && seen.add(r.id) !== undefined);
}

/** Every delivery carried a signature made with the destination's own secret. */
export function expectSigned(received: readonly Received[]): void {
  expect(received.every((r) => r.signatureOk)).toBe(true);
}
