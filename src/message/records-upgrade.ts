/**
 * Event records as schema version 3 and before stored them (one destination, its forwarding state on the
 * record itself), and their upgrade: that state becomes the delivery to the destination `default`, which is
 * what DOWNSTREAM_URL is called once destinations exist.
 */
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { EventRecord, ForwardState, IndexWork } from "./records.ts";

/** A record of schema version 3 (and, read from their tables, versions 1 and 2). */
export interface LegacyRecord {
  seq: number;
  eventId: string;
  instant: string;
  event: BandwidthEventOutput;
  statusAfter: string;
  duplicates: number;
  acceptedAt: number;
  retrySince: number;
  forwardState: ForwardState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  forwardedAt: number | null;
  deadIndex: IndexWork;
}

/** The destination an upgraded record's forwarding belongs to. */
export const LEGACY_DESTINATION = "default";

/** A version 3 record as a version 4 one. */
export function upgradeRecord(old: LegacyRecord): EventRecord {
  const { retrySince, forwardState, attempts, nextAttemptAt, lastError, forwardedAt, deadIndex, ...rest } =
    old;
  return {
    ...rest,
    deliveries: {
      [LEGACY_DESTINATION]: {
        state: forwardState,
        attempts,
        nextAttemptAt,
        lastError,
        forwardedAt,
        retrySince,
        deadIndex,
      },
    },
  };
}
