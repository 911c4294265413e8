/**
 * vitest globalSetup (runs in Node, before workerd starts): reads the stored-layout fixtures of the MessageTracker
 * and Bandwidth's official example callbacks from
 * `test/fixtures/bandwidth-official/` (see its README) and hands them to the tests, which run inside workerd where
 * `node:fs` is not available.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "../harness/repo.ts";
import { SCHEMA_VERSION } from "../src/objects/message-sql.ts";
import type { BandwidthFixture } from "./helpers/bandwidth-fixtures.ts";
import type { StorageFixture } from "./helpers/storage-fixtures.ts";

/** How many official examples `valid/` holds; fewer means a fixture was lost. */
const EXPECTED_FIXTURE_COUNT = 36;

const FIXTURE_DIR = resolve(REPO_ROOT, "test/fixtures/bandwidth-official");
/** A MessageTracker's storage as each layout version wrote it (test/helpers/storage-fixtures.ts). */
const STORAGE_DIR = resolve(REPO_ROOT, "test/fixtures/tracker-storage");

/** Reads every fixture, failing the whole run when the folder is missing or incomplete. */
export default function setup(project: TestProject): void {
  let files: string[];
  try {
    files = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith(".json"));
  } catch (error) {
    throw new Error(
      `Bandwidth's official fixtures are missing: expected them in ${FIXTURE_DIR}: ${String(error)}`,
    );
  }
  if (files.length < EXPECTED_FIXTURE_COUNT) {
    throw new Error(
      `expected at least ${EXPECTED_FIXTURE_COUNT} official fixtures in ${FIXTURE_DIR}, found ${files.length}`,
    );
  }
  const fixtures: BandwidthFixture[] = files
    .sort()
    .map((file) => ({ file, body: readFileSync(join(FIXTURE_DIR, file), "utf8") }));
  project.provide("bandwidthFixtures", fixtures);
  const storage = readdirSync(STORAGE_DIR)
    .filter((name) => /^v\d+\.json$/.test(name))
    .map((name) => JSON.parse(readFileSync(join(STORAGE_DIR, name), "utf8")) as StorageFixture)
    .sort((a, b) => a.version - b.version);
  if (storage.length !== SCHEMA_VERSION) {
    throw new Error(
      `expected a storage fixture for each layout version 1 to ${SCHEMA_VERSION} in ${STORAGE_DIR}`,
    );
  }
  project.provide("trackerStorageFixtures", storage);
}
