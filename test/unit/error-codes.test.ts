/**
 * Bandwidth's error codes (src/bandwidth/error-codes.ts): documented meanings, classes by range, unknown codes.
 */
import { describe, expect, it } from "vitest";
import {
  describeErrorCode,
  ERROR_CODE_CLASSES,
  ERROR_CODE_MEANINGS,
  errorCodeClass,
} from "../../src/bandwidth/error-codes.ts";

const DOCUMENTED = Object.keys(ERROR_CODE_MEANINGS).map(Number);

describe("describeErrorCode", () => {
  it("gives every documented code its own meaning, marked documented", () => {
    expect(DOCUMENTED.length).toBeGreaterThanOrEqual(70);
    for (const code of DOCUMENTED) {
      const described = describeErrorCode(code);
      expect(described.documented, String(code)).toBe(true);
      expect(described.meaning).toBe(ERROR_CODE_MEANINGS[code]);
      expect(described.meaning.length, String(code)).toBeGreaterThan(10);
    }
  });

  it("classes the documented codes as Bandwidth's schema says", () => {
    expect(describeErrorCode(4432).class).toBe("client");
    expect(describeErrorCode(4001).class).toBe("client");
    expect(describeErrorCode(4720).class).toBe("carrier-rejected");
    expect(describeErrorCode(4795).class).toBe("carrier-rejected");
    expect(describeErrorCode(5600).class).toBe("service");
    expect(describeErrorCode(5999).class).toBe("service");
    expect(describeErrorCode(9999).class).toBe("unknown");
  });

  it("classes 9902 as no-receipt, whose meaning says the message may have been delivered", () => {
    const described = describeErrorCode(9902);
    expect(described.class).toBe("no-receipt");
    expect(described.meaning).toMatch(/may still have been delivered/);
  });

  it("classes codes Bandwidth has not documented by their range, with a generic meaning", () => {
    expect(describeErrorCode(4999)).toMatchObject({ class: "client", documented: false });
    expect(describeErrorCode(4799)).toMatchObject({ class: "carrier-rejected", documented: false });
    expect(describeErrorCode(4700 + 98)).toMatchObject({ class: "carrier-rejected", documented: false });
    expect(describeErrorCode(5123)).toMatchObject({ class: "service", documented: false });
    expect(describeErrorCode(9901)).toMatchObject({ class: "unknown", documented: false });
    expect(describeErrorCode(1234)).toMatchObject({ class: "unknown", documented: false });
    expect(describeErrorCode(0)).toMatchObject({ class: "unknown", documented: false });
    expect(describeErrorCode(-4720)).toMatchObject({ class: "unknown", documented: false });
    expect(describeErrorCode(47200)).toMatchObject({ class: "unknown", documented: false });
  });

  it("never answers a meaning from the object prototype", () => {
    for (const code of [Number.NaN, 1e21]) expect(describeErrorCode(code).documented).toBe(false);
  });

  it("gives every class a generic meaning of its own", () => {
    const codes = { client: 4998, "carrier-rejected": 4798, service: 5998, "no-receipt": 9902, unknown: 1 };
    const meanings = new Set<string>();
    for (const codeClass of ERROR_CODE_CLASSES) {
      const described = describeErrorCode(codes[codeClass]);
      expect(errorCodeClass(codes[codeClass])).toBe(codeClass);
      meanings.add(codeClass === "no-receipt" ? "no-receipt" : described.meaning);
    }
    expect(meanings.size).toBe(ERROR_CODE_CLASSES.length);
  });
});
