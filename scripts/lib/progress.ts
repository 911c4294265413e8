/**
 * Progress of a load run: a bar redrawn in place on a terminal, a plain line every tenth of the way
 * otherwise (so that logs and CI output stay readable).
 */

/** Where progress is written: a terminal or anything else (a pipe, a file). */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The bar for `done` of `total`, e.g. `[##########··········]  50%  20/40`. Pure. */
export function progressBar(done: number, total: number, width = 30): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * width);
  const percent = String(Math.floor(fraction * 100)).padStart(3);
  return `[${"#".repeat(filled)}${"·".repeat(width - filled)}] ${percent}%  ${done}/${total}`;
}

/** Counts finished callbacks and shows how far a run of `total` has come. */
export class ProgressReporter {
  private done = 0;
  private failed = 0;
  private lastTenth = 0;
  private readonly total: number;
  private readonly stream: ProgressStream;

  constructor(total: number, stream: ProgressStream) {
    this.total = total;
    this.stream = stream;
  }

  /** Clears the bar on a terminal, so that a line can be printed in its place; the next tick redraws it. */
  clear(): void {
    if (this.stream.isTTY) this.stream.write("\r\u001b[K");
  }

  /** Records one finished callback and redraws (terminal) or prints a line at each tenth (otherwise). */
  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    const failures = this.failed > 0 ? `  ${this.failed} failed` : "";
    if (this.stream.isTTY) {
      this.stream.write(`\r${progressBar(this.done, this.total)}${failures}`);
      if (this.done === this.total) this.stream.write("\n");
      return;
    }
    const tenth = Math.floor((this.done * 10) / Math.max(1, this.total));
    if (tenth > this.lastTenth || this.done === this.total) {
      this.lastTenth = tenth;
      this.stream.write(`progress ${this.done}/${this.total}${failures}\n`);
    }
  }
}
