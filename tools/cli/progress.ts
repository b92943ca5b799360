/** A one-line progress bar on standard error, redrawn in place on a terminal and sparingly otherwise. */

export class ProgressBar {
  private lastDraw = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit = '',
  ) {}

  update(done: number, note = ''): void {
    const now = Date.now();
    if (now - this.lastDraw < (this.tty ? 100 : 5_000) && done < this.total) return;
    this.lastDraw = now;
    const share = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 28;
    const filled = Math.round(share * width);
    const line = `${this.label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done.toLocaleString('es-CL')}${this.unit ? ` ${this.unit}` : ''}${note ? `  ${note}` : ''}`;
    process.stderr.write(this.tty ? `\r${line}\u001b[K` : `${line}\n`);
  }

  done(note = ''): void {
    this.lastDraw = 0;
    this.update(this.total, note);
    if (this.tty) process.stderr.write('\n');
  }
}
