/**
 * vitest globalSetup (runs in Node, before workerd starts): reads Bandwidth's official example callbacks from
 * `../shared/fixtures/bandwidth-official/valid` beside the clone and hands them to the tests, which run inside
 * workerd where `node:fs` is not available. They are read, never copied into this repository.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "../harness/repo.ts";
import type { BandwidthFixture } from "./helpers/bandwidth-fixtures.ts";

/** How many official examples `valid/` holds; fewer means the checkout is incomplete. */
const EXPECTED_FIXTURE_COUNT = 36;

const FIXTURE_DIR = resolve(REPO_ROOT, "../shared/fixtures/bandwidth-official/valid");

/** Reads every fixture, failing the whole run when the folder is missing or incomplete. */
export default function setup(project: TestProject): void {
  let files: string[];
  try {
    files = readdirSync(FIXTURE_DIR).filter((name) => name.endsWith(".json"));
  } catch (error) {
    throw new Error(
      `Bandwidth's official fixtures are missing: expected them in ${FIXTURE_DIR} (../shared beside the clone): ${String(error)}`,
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
}
