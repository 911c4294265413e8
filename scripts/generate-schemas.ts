/**
 * Writes schemas/*.json, generated from the valibot schemas: the JSON Schemas of the normalized event that the
 * downstream receives and of the Bandwidth callback event that the receiver accepts; and src/console/openapi.json,
 * the OpenAPI 3.1 document the Worker serves at GET /openapi.json (a static asset). `--check` fails when the committed files are stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../harness/repo.ts";
import { renderSchemas } from "../tools/schema-files.ts";

const check = process.argv.includes("--check");
let stale = false;
for (const [file, text] of Object.entries(renderSchemas())) {
  const path = join(REPO_ROOT, file);
  if (!check) writeFileSync(path, text);
  else if (readFileSync(path, "utf8") !== text) {
    console.error(`${file} is stale: run npm run schemas`);
    stale = true;
  }
}
process.exit(stale ? 1 : 0);
