/**
 * Secret comparison in constant time: both sides are hashed first, so neither the content nor the length of
 * the secret leaks through timing.
 */

async function sha256(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** Whether `given` equals `expected`, in time independent of where they differ and of their lengths. */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** Whether `given` equals any of `candidates`; every candidate is compared, whichever matches. */
export async function matchesAny(given: string, candidates: readonly string[]): Promise<boolean> {
  const results = await Promise.all(candidates.map((candidate) => secretsEqual(given, candidate)));
  return results.includes(true);
}
