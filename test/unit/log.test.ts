/**
 * Phone numbers in logs: masked so that a line never carries a full number.
 */
import { describe, expect, it } from "vitest";
import { maskNumber } from "../../src/log.ts";

describe("maskNumber", () => {
  it("keeps only the first two and last two characters of a number", () => {
    expect(maskNumber("+15551234567")).toBe("+1********67");
  });

  it("masks a short code or sender id the same way", () => {
    expect(maskNumber("12345")).toBe("12*45");
    expect(maskNumber("BANDWIDTH")).toBe("BA*****TH");
  });

  it("masks a value of four characters or fewer entirely", () => {
    expect(maskNumber("1234")).toBe("****");
    expect(maskNumber("12")).toBe("**");
    expect(maskNumber("")).toBe("");
  });

  it("keeps the length, so that masked numbers stay comparable in shape", () => {
    for (const value of ["+15551234567", "345757070", "+447700900123"]) {
      expect(maskNumber(value)).toHaveLength(value.length);
      expect(maskNumber(value)).not.toContain(value.slice(2, -2));
    }
  });
});
