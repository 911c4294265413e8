/**
 * The repository root, for every Node script, test and bench that needs a path in the checkout.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (where package.json and wrangler.toml are). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
