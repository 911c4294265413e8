/**
 * The decisions of `npm run deploy`, pure: which secrets a deployment needs and which of them to generate, the
 * index databases to migrate before and after the deploy, and the commands in their order. scripts/deploy.ts
 * runs them; test/e2e/deploy-helper.test.ts checks them through a fake `wrangler`.
 */
import { randomBytes } from "node:crypto";

/** A D1 database of the message index, as the wrangler configuration declares it. */
export interface IndexDatabase {
  binding: string;
  databaseName: string;
}

/** What the deploy needs to know of the configuration and of the account. */
export interface DeployFacts {
  /** The index shards, in INDEX_SHARDS order. */
  indexDatabases: readonly IndexDatabase[];
  /** Names of the HTTP destinations of DESTINATIONS (none: the one destination `default`). */
  httpDestinations: readonly string[];
  /** Whether media copies are configured (an R2 binding MEDIA_BUCKET): they need MEDIA_LINK_SECRET. */
  mediaBucket: boolean;
  /** Secret names already set on the deployed Worker; null when the Worker does not exist yet. */
  existingSecrets: ReadonlySet<string> | null;
  /** Database names that already exist in the account. */
  existingDatabases: ReadonlySet<string>;
  /** DATA_JURISDICTION: missing index databases are then created there before the deploy, not by it. */
  jurisdiction?: string;
}

/** One command of the plan: wrangler's arguments and what it does, for the log and the failure message. */
export interface DeployStep {
  args: readonly string[];
  what: string;
}

/** The plan: the secrets to generate (names only), then the commands in order. */
export interface DeployPlan {
  generate: readonly string[];
  steps: readonly DeployStep[];
  /** Index databases the deploy creates (automatic provisioning) and migrates after it. */
  createdByDeploy: readonly string[];
}

/** The environment variable name of a destination's secret: `DESTINATION_SECRET_<NAME>` (`-` → `_`). */
export function destinationSecretName(destination: string): string {
  return `DESTINATION_SECRET_${destination.toUpperCase().replaceAll("-", "_")}`;
}

/** The secrets a deployment with `facts` must have, in a stable order. */
export function requiredSecrets(facts: Pick<DeployFacts, "httpDestinations" | "mediaBucket">): string[] {
  const names = ["CALLBACK_USERNAME", "CALLBACK_PASSWORD", "ADMIN_TOKEN"];
  if (facts.httpDestinations.length === 0) names.push("DOWNSTREAM_SECRET");
  else names.push(...facts.httpDestinations.map(destinationSecretName));
  if (facts.mediaBucket) names.push("MEDIA_LINK_SECRET");
  return names;
}

/** The plan for `facts`: missing secrets generated, existing databases migrated first, new ones after. */
export function planDeploy(facts: DeployFacts, secretsFile: string): DeployPlan {
  const existing = facts.existingSecrets ?? new Set<string>();
  const generate = requiredSecrets(facts).filter((name) => !existing.has(name));
  const missing = facts.indexDatabases.filter((db) => !facts.existingDatabases.has(db.databaseName));
  // Automatic provisioning creates a D1 database in no jurisdiction: with one, the helper creates them first.
  const createFirst = facts.jurisdiction !== undefined;
  const before = createFirst
    ? facts.indexDatabases
    : facts.indexDatabases.filter((db) => facts.existingDatabases.has(db.databaseName));
  const after = createFirst ? [] : missing;
  const create = (db: IndexDatabase): DeployStep => ({
    args: ["d1", "create", db.databaseName, "--jurisdiction", facts.jurisdiction ?? ""],
    what: `create the index database ${db.databaseName} in the ${facts.jurisdiction} jurisdiction`,
  });
  const migrate = (db: IndexDatabase): DeployStep => ({
    args: ["d1", "migrations", "apply", db.databaseName, "--remote"],
    what: `apply the index migrations to ${db.databaseName} (${db.binding})`,
  });
  const deploy: DeployStep = {
    args: generate.length > 0 ? ["deploy", "--secrets-file", secretsFile] : ["deploy"],
    what:
      generate.length > 0
        ? `deploy the Worker with ${generate.length} new secret(s) (${generate.join(", ")})`
        : "deploy the Worker",
  };
  return {
    generate,
    steps: [
      ...(createFirst ? missing.map(create) : []),
      ...before.map(migrate),
      deploy,
      ...after.map(migrate),
    ],
    createdByDeploy: after.map((db) => db.databaseName),
  };
}

/** A value for the secret `name`: random, of the form the receiver's configuration checks. */
export function generateSecret(name: string): string {
  if (name === "CALLBACK_USERNAME") return `bandwidth-${randomBytes(4).toString("hex")}`;
  if (name === "DOWNSTREAM_SECRET" || name.startsWith("DESTINATION_SECRET_")) {
    return `whsec_${randomBytes(32).toString("base64")}`;
  }
  // CALLBACK_PASSWORD, ADMIN_TOKEN, MEDIA_LINK_SECRET: 43 url-safe characters (256 bits).
  return randomBytes(32).toString("base64url");
}

/** The HTTP destinations' names of a DESTINATIONS value (a JSON string or an array); [] when absent. */
export function httpDestinationNames(destinations: unknown): string[] {
  const list = typeof destinations === "string" ? parseJson(destinations) : destinations;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const { name, url } = entry as { name?: unknown; url?: unknown };
    return typeof name === "string" && typeof url === "string" ? [name] : [];
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
