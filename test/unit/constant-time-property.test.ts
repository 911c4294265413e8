/**
 * Credentials and the admin token are compared without short-cuts (fast-check): the comparison is exact, and
 * its work does not depend on the lengths or the content of what is compared. Every comparison hashes both
 * sides, and authentication compares every configured credential, whatever the request carries, so that no
 * early return tells an attacker how close a guess was.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isAuthorizedAdmin, isAuthorizedCallback } from "../../src/http/auth.ts";
import { secretsEqual } from "../../src/http/constant-time.ts";
import { checkAsyncProperty, recordFigure } from "../generators/figures.ts";

const RUNS = { numRuns: 1000 };
const secretArb = fc.string({ unit: "binary", maxLength: 300 });

/** Counts the SHA-256 digests taken (and records what was hashed) while `work` runs. */
async function digestsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const hashed: string[] = [];
  const original = crypto.subtle.digest.bind(crypto.subtle);
  const spy = vi.spyOn(crypto.subtle, "digest").mockImplementation((algorithm, data) => {
    hashed.push(new TextDecoder().decode(data as Uint8Array));
    return original(algorithm, data);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return hashed;
}

function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

afterEach(() => vi.restoreAllMocks());

describe("constant-time comparison", () => {
  it("tells equal secrets from different ones, of any length and content", async ({ task }) => {
    const pairArb = fc.oneof(
      fc.tuple(secretArb, secretArb),
      secretArb.map((secret) => [secret, secret] as [string, string]),
      fc
        .tuple(secretArb, fc.nat(300))
        .map(([secret, cut]) => [secret, secret.slice(0, cut)] as [string, string]),
    );
    const runs = await checkAsyncProperty(
      fc.asyncProperty(pairArb, async ([given, expected]) => {
        expect(await secretsEqual(given, expected)).toBe(given === expected);
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });

  it("hashes both sides in full whatever their lengths, so that a length mismatch returns no sooner", async ({
    task,
  }) => {
    const runs = await checkAsyncProperty(
      fc.asyncProperty(secretArb, secretArb, async (given, expected) => {
        const hashed = await digestsDuring(() => secretsEqual(given, expected));
        expect(hashed.sort()).toEqual([given, expected].sort());
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });
});

describe("authentication compares every configured credential, whatever the request carries", () => {
  const credentialsArb = fc.array(fc.record({ username: secretArb, password: secretArb }), {
    minLength: 1,
    maxLength: 3,
  });
  const headerArb = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }),
    fc.tuple(secretArb, secretArb).map(([user, password]) => basic(user, password)),
  );

  it("hashes the given and the expected username and password of every pair for any Basic header", async ({
    task,
  }) => {
    const runs = await checkAsyncProperty(
      fc.asyncProperty(credentialsArb, headerArb, async (credentials, header) => {
        const hashed = await digestsDuring(() => isAuthorizedCallback(header, credentials));
        expect(hashed).toHaveLength(4 * credentials.length);
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });

  it("hashes the given token against every admin token for any Authorization header", async ({ task }) => {
    const tokensArb = fc.array(secretArb, { minLength: 1, maxLength: 3 });
    const bearerArb = fc.oneof(
      headerArb,
      secretArb.map((token) => `Bearer ${token}`),
    );
    const runs = await checkAsyncProperty(
      fc.asyncProperty(tokensArb, bearerArb, async (tokens, header) => {
        const hashed = await digestsDuring(() => isAuthorizedAdmin(header, tokens));
        expect(hashed).toHaveLength(2 * tokens.length);
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });
});
