/**
 * How large an event may be. Bandwidth's events are about 1 KiB; a message's whole history is one stored row
 * with a platform limit of 2 MB, so one event is bounded well below it (see message/budget.ts for the
 * message as a whole).
 */

/** Largest event accepted, as UTF-8 JSON; a larger one is quarantined as too large. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** The UTF-8 length of `text` without encoding it (a lone surrogate counts as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
