/**
 * Log lines: below the isolate's level (LOG_LEVEL) they are not written, nor even built; phone numbers in them are
 * masked so that a line never carries a full number.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type LogLevel, log, maskNumber, setLogLevel } from "../../src/log.ts";

/** The lines written to each console method while `write` runs, as `method event`. */
function written(write: () => void): string[] {
  const lines: string[] = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => {
      lines.push(`${method} ${(JSON.parse(String(line)) as { event: string }).event}`);
    });
  }
  write();
  return lines;
}

function oneOfEach(): void {
  log("info", "event_stored");
  log("warn", "event_quarantined");
  log("error", "store_failed");
}

describe("log", () => {
  afterEach(() => {
    setLogLevel("info");
    vi.restoreAllMocks();
  });

  it("writes every line at info, the default: info to console.log, warn and error to theirs", () => {
    expect(written(oneOfEach)).toEqual(["log event_stored", "warn event_quarantined", "error store_failed"]);
  });

  it.each([
    ["warn", ["warn event_quarantined", "error store_failed"]],
    ["error", ["error store_failed"]],
    ["info", ["log event_stored", "warn event_quarantined", "error store_failed"]],
  ] as Array<[LogLevel, string[]]>)(
    "at %s writes only lines of that level or more severe",
    (level, lines) => {
      setLogLevel(level);
      expect(written(oneOfEach)).toEqual(lines);
    },
  );

  it("does not build a line below the level: its fields are never read", () => {
    setLogLevel("warn");
    const read = vi.fn(() => "value");
    const fields = Object.defineProperty({}, "probe", { get: read, enumerable: true });
    expect(written(() => log("info", "event_stored", fields))).toEqual([]);
    expect(read).not.toHaveBeenCalled();
    expect(written(() => log("warn", "event_quarantined", fields))).toEqual(["warn event_quarantined"]);
    expect(read).toHaveBeenCalledOnce();
  });
});

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
