/**
 * What no answer of the receiver may contain: a stack trace, or any of the given secret values (credentials,
 * tokens, signing secrets, phone numbers, message text). Shared by the fuzz suite and the security tests.
 */
import { expect } from "vitest";

/** A stack frame (`at fn (file:1:2)`), a source location (`.ts:12`) or an error's `Name:` prefix. */
export const STACK_PATTERN = /\bat\s+\S+\s+\(?\S+:\d+:\d+\)?|\.ts:\d|\.js:\d|\b(?:[A-Z][A-Za-z]*)?Error:/;

/** A response's body and headers as one text. */
export async function answerText(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  return `${await response.text()}\n${headers}`;
}

/** Fails if `answer` holds a stack trace or any of `secrets`; the message names the secret by position only. */
export function expectNoLeak(answer: string, secrets: readonly string[], what = "the answer"): void {
  expect(STACK_PATTERN.test(answer), `${what} holds a stack trace: ${answer.slice(0, 500)}`).toBe(false);
  secrets.forEach((secret, index) => {
    if (secret !== "" && answer.includes(secret))
      expect.fail(`${what} holds secret #${index}: ${answer.slice(0, 500)}`);
  });
}
