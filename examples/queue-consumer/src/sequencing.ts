/**
 * The consumer's ordering decisions, pure: whether an arriving event is processed at once or held for the
 * events before it, and which held events can be processed now. One message's events carry `sequence` 1, 2, 3 …
 * (the order the receiver accepted them); the queue may deliver them in any order.
 */

/** What to do with an event that is not a duplicate. */
export type Placement =
  /** The next one (or one without a sequence): process it now. */
  | "process"
  /** An earlier sequence is missing: keep it until that arrives or the wait for it is over. */
  | "hold"
  /** Its place was given up on (the wait for it passed, later events went first): process it now, out of order. */
  | "late";

/** An event held for the events before it. */
export interface HeldEvent {
  id: string;
  sequence: number;
  /** Epoch ms after which its missing predecessors are no longer waited for. */
  heldUntil: number;
}

/**
 * Where an event goes, given the highest sequence processed so far in its message (0 before the first).
 * Events without a sequence (the receiver's operator events) have no order to keep.
 */
export function placeEvent(sequence: number | undefined, lastProcessed: number): Placement {
  if (sequence === undefined || sequence === lastProcessed + 1) return "process";
  return sequence > lastProcessed ? "hold" : "late";
}

/**
 * The held events that can be processed at `now`, in the order to process them: the next sequence, and the
 * sequences that follow it without a gap; a gap is skipped once the event after it has waited until its
 * `heldUntil`. Stops at the first gap still being waited for.
 */
export function releasable(held: readonly HeldEvent[], lastProcessed: number, now: number): HeldEvent[] {
  const released: HeldEvent[] = [];
  let last = lastProcessed;
  for (const event of [...held].sort((a, b) => a.sequence - b.sequence)) {
    if (event.sequence !== last + 1 && event.heldUntil > now) break;
    released.push(event);
    last = event.sequence;
  }
  return released;
}

/** When the object must look again (the earliest `heldUntil`), or undefined when nothing is held. */
export function nextWake(held: readonly HeldEvent[]): number | undefined {
  return held.length === 0 ? undefined : Math.min(...held.map((event) => event.heldUntil));
}
