/**
 * A mean curve with its confidence band over seeds, as three Plotly traces: the upper edge (invisible), the lower
 * edge filled up to it (the band), and the mean line. Legend clicks toggle all three together.
 */
import { meanCI } from '../eval/stats.js';
import type { PlotlyTrace } from './plot.js';

export interface BandSeries {
  /** Legend name. */
  name: string;
  x: ArrayLike<number>;
  /**
   * Per x, the values over seeds. Non-finite values are left out; an x with none plots as a gap, one with a single
   * value has no band there (the line only).
   */
  ys: readonly ArrayLike<number>[];
  /** `#rrggbb`; the band is drawn in it at 20% opacity. */
  color: string;
  /** Plotly line dash ('dot', 'dash', ...). */
  dash?: string | undefined;
  /** Confidence level of the band. Default 0.95 (Student-t over seeds, as `meanCI`). */
  level?: number;
}

export function bandTraces(s: BandSeries): PlotlyTrace[] {
  if (s.ys.length !== s.x.length) throw new Error(`bandTraces: "${s.name}" has ${s.x.length} x values but ${s.ys.length} ys entries`);
  if (!/^#[0-9a-fA-F]{6}$/.test(s.color)) throw new Error(`bandTraces: color must be #rrggbb (the band adds an alpha byte), got "${s.color}"`);
  const x = Array.from(s.x);
  const stats = s.ys.map((v) => {
    const finite = Array.from(v).filter(Number.isFinite);
    return finite.length > 0 ? meanCI(finite, s.level) : { mean: NaN, lo: NaN, hi: NaN };
  });
  // One value has an infinite interval: draw the band edge on the mean instead.
  const edge = (v: number, mean: number) => (Number.isFinite(v) ? v : mean);
  const group = { legendgroup: s.name, showlegend: false, hoverinfo: 'skip' };
  return [
    { type: 'scatter', mode: 'lines', x, y: stats.map((c) => edge(c.hi, c.mean)), line: { width: 0 }, ...group },
    { type: 'scatter', mode: 'lines', x, y: stats.map((c) => edge(c.lo, c.mean)), line: { width: 0 }, fill: 'tonexty', fillcolor: `${s.color}33`, ...group },
    { type: 'scatter', mode: 'lines+markers', name: s.name, x, y: stats.map((c) => c.mean), line: { color: s.color, ...(s.dash ? { dash: s.dash } : {}) }, legendgroup: s.name },
  ];
}
