/**
 * Bandwidth's official example callbacks as the workerd tests receive them: read in Node by
 * test/bandwidth-fixtures.setup.ts (workerd has no file system) and provided to the tests through
 * `inject("bandwidthFixtures")`, which this file types.
 */

/** One official example: its file name and its body exactly as published. */
export interface BandwidthFixture {
  file: string;
  body: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    bandwidthFixtures: BandwidthFixture[];
  }
}
