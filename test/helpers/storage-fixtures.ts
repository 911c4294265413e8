/**
 * The stored MessageTracker layouts of test/fixtures/tracker-storage/, handed in by
 * test/bandwidth-fixtures.setup.ts (workerd has no file system).
 */
import { inject } from "vitest";

/** One layout version's storage: its SQL schema and rows, and its key-value entries. */
export interface StorageFixture {
  version: number;
  messageId: string;
  schema: string[];
  rows: Record<string, Array<Record<string, string | number | null>>>;
  kv: Record<string, string>;
}

declare module "vitest" {
  export interface ProvidedContext {
    trackerStorageFixtures: StorageFixture[];
  }
}

/** Every layout's fixture, oldest first. */
export function storageFixtures(): StorageFixture[] {
  return inject("trackerStorageFixtures");
}
