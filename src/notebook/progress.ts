/**
 * A progress bar for long cells (training loops).
 *
 * In a kernel it is ONE output updated in place (display_data, then update_display_data with the same display id),
 * redrawn at most every `minIntervalMs`. Elsewhere (scripts, tests, front ends without display updates) it prints
 * at most `plainLines` lines at even fractions of the work plus a final line: never one line per step.
 */
import { displayBundle, inKernel, newDisplayId } from './display.js';
import { escapeHtml } from './html-escape.js';

export interface ProgressOptions {
  /** Total number of steps (integer >= 1). */
  total: number;
  label?: string;
  /** Minimum ms between redraws in a kernel. Default 250. */
  minIntervalMs?: number;
  /** Lines printed outside a kernel, besides the final one (integer >= 0). Default 4. */
  plainLines?: number;
}

export type Metrics = Record<string, number>;

function formatMetrics(m: Metrics): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : Number(v.toPrecision(4))}`)
    .join(' ');
}

export class ProgressBar {
  readonly total: number;
  readonly label: string;
  private readonly minIntervalMs: number;
  private readonly plainLines: number;
  private readonly kernel = inKernel();
  private readonly displayId = newDisplayId();
  private readonly t0 = Date.now();
  private shown = false;
  private lastDraw = 0;
  private plainPrinted = 0;
  private finished = false;
  private current = 0;
  private metrics: Metrics = {};

  constructor(options: ProgressOptions) {
    const { total } = options;
    if (!(Number.isInteger(total) && total >= 1)) throw new Error(`progress: total must be an integer >= 1, got ${total}`);
    this.total = total;
    this.label = options.label ?? 'progress';
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.plainLines = options.plainLines ?? 4;
    if (!(Number.isInteger(this.plainLines) && this.plainLines >= 0)) {
      throw new Error(`progress: plainLines must be an integer >= 0, got ${this.plainLines}`);
    }
  }

  /** The bar as text, e.g. `pretrain [#########...........] 45% 90/200 3.1s loss=1.234`. */
  text(): string {
    const frac = this.current / this.total;
    const width = 20;
    const filled = Math.round(frac * width);
    const secs = ((Date.now() - this.t0) / 1000).toFixed(1);
    const m = formatMetrics(this.metrics);
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(frac * 100)}% ${this.current}/${this.total} ${secs}s${m ? ' ' + m : ''}`;
  }

  private html(): string {
    const pct = Math.round((this.current / this.total) * 100);
    const m = formatMetrics(this.metrics);
    return (
      `<div class="rlrepro-progress" style="font-family:monospace"><progress value="${this.current}" max="${this.total}" style="width:20em"></progress> ` +
      `${escapeHtml(this.label)} ${pct}% ${this.current}/${this.total} ${((Date.now() - this.t0) / 1000).toFixed(1)}s ${escapeHtml(m)}</div>`
    );
  }

  /** Sets the number of completed steps (0..total) and the latest metrics. */
  update(done: number, metrics?: Metrics): void {
    if (!(Number.isFinite(done) && done >= 0 && done <= this.total)) {
      throw new Error(`progress: done must be in [0, ${this.total}], got ${done}`);
    }
    this.current = done;
    if (metrics) this.metrics = { ...metrics };
    this.draw(false);
  }

  /** One more step done. */
  tick(metrics?: Metrics): void {
    this.update(Math.min(this.total, this.current + 1), metrics);
  }

  /** Final redraw (shows the elapsed time); further updates are ignored. */
  done(metrics?: Metrics): void {
    if (this.finished) return;
    if (metrics) this.metrics = { ...metrics };
    this.draw(true);
    this.finished = true;
  }

  private draw(final: boolean): void {
    if (this.finished) return;
    if (this.kernel) {
      const now = Date.now();
      if (!final && this.shown && now - this.lastDraw < this.minIntervalMs) return;
      this.lastDraw = now;
      displayBundle({ 'text/html': this.html(), 'text/plain': this.text() }, { displayId: this.displayId, update: this.shown });
      this.shown = true;
      return;
    }
    // Plain mode: a line each time another 1/plainLines of the work is done, and the final line.
    const due = this.plainLines > 0 ? Math.floor((this.current / this.total) * this.plainLines) : 0;
    if (final || (due > this.plainPrinted && this.current < this.total)) {
      this.plainPrinted = due;
      console.log(this.text());
    }
  }
}

/** Starts a progress bar; call `tick()`/`update()` per step and `done()` at the end. */
export function progress(options: ProgressOptions): ProgressBar {
  return new ProgressBar(options);
}
