/**
 * Claim checks: a paper's claim, our per-seed results, a test chosen before the data, and a verdict. A claim that
 * does not hold renders as "not reproduced" — it never throws — so a report is always written; `rlrepro run
 * --fail-on-claims` turns unreproduced claims into a failing exit status. Invalid checks (no margin where one is
 * needed, a margin <= 0, fewer than 3 seeds) throw, naming the claim.
 *
 * One check kind per statistical question, on the per-seed values (pass paired differences, arm minus control
 * on the same seed's base and evaluation stream, wherever arms share a base):
 * - greater than c:  the effect exists — the two-sided 95% t-interval lies above c (lo > c; one-sided alpha 0.025).
 * - less than c:     hi < c.
 * - notBelow c by more than m ("no harm"): lo > c - m (a non-inferiority test, one-sided alpha 0.025).
 * - notAbove c by more than m ("no gain"): hi < c + m (non-superiority).
 * - equivalent to c within ±m: two one-sided tests at alpha 0.05 each, i.e. the 90% t-interval inside (c - m, c + m).
 * The three margin kinds need a margin stated with its reason before the data (e.g. half the effect the paper
 * reports, scaled to our metric). Without a margin "not below" only means "could not rule out", which is not
 * evidence; so there is no margin-free kind.
 *
 * Power: every result carries the minimum detectable effect (MDE) at its number of seeds, from the observed seed SD,
 * at 80% power: (t_{1-alpha} + t_{0.8}) * sd / sqrt(n) for the effect and one-sided margin kinds, (t_{0.95} + t_{0.9})
 * * sd / sqrt(n) for equivalence (the smallest margin a true difference of 0 passes with 80% power). A failed check
 * whose margin, or the paper's effect scaled to our metric (`paper.effect`), is below the MDE is marked underpowered,
 * with the seeds it would need at that SD: more seeds, not a null result. The observed mean never sets the bar.
 */
import { meanCI, tQuantile, type MeanCI } from '../eval/stats.js';
import { displayBundle, type MimeBundle } from './display.js';
import { escapeHtml } from './html-escape.js';
import { CLAIM_MIME } from './mime.js';

/** A margin for the "no harm / no gain / near" kinds: its size in the claim's own units and why that size. */
export interface Margin {
  /** > 0, in the units of `ours`. */
  value: number;
  /** Why this size, stated before the data (e.g. "half the paper's drop of 5.7 pts at k = 256"). */
  reason: string;
}

export type ClaimTest =
  | { kind: 'greater'; than?: number }
  | { kind: 'less'; than?: number }
  | { kind: 'notBelow'; than?: number; margin: Margin }
  | { kind: 'notAbove'; than?: number; margin: Margin }
  | { kind: 'equivalent'; to?: number; margin: Margin };

export type ClaimKind = ClaimTest['kind'];

export const CLAIM_KINDS: readonly ClaimKind[] = ['greater', 'less', 'notBelow', 'notAbove', 'equivalent'];

/** The fewest seeds a check accepts: with 2 the t-interval uses t(0.975, 1) = 12.7 and says nothing. */
export const MIN_SEEDS = 3;

/** Power the minimum detectable effect is computed at. */
export const POWER = 0.8;

export interface ClaimSpec {
  /** Short stable id, e.g. "psr-beats-nsr-at-pass1" (letters, digits, . _ -). */
  id: string;
  /** The claim in one sentence, as the paper makes it. */
  statement: string;
  /**
   * The paper's number (or a short text like "+5.9 pts") and where it is: "arXiv 2506.01347, Table 2". `effect`:
   * the paper's effect scaled to our metric, where such a scaling is meaningful; the MDE is compared with it.
   */
  paper: { value: number | string; source: string; effect?: number };
  /** Our measurement, one value per seed (paired differences where arms share a seed's base). */
  ours: number[];
  test: ClaimTest;
}

/** How well the seeds can answer the check's question. */
export interface ClaimPower {
  /** Minimum detectable effect (or, for margin kinds, margin) at 80% power with this n and the observed SD. */
  mde: number;
  /** What the seeds must be able to detect, fixed before the data: the margin, or |paper.effect| for greater/less (null if not given). */
  needed: number | null;
  /** Seeds needed for `needed` at the observed SD (null: no finite n, e.g. a zero effect). */
  seedsNeeded: number | null;
  /** The check failed and the seeds could not have shown the effect or margin: more seeds, not a null result. */
  underpowered: boolean;
}

export interface ClaimResult {
  id: string;
  statement: string;
  paper: { value: number | string; source: string; effect?: number };
  test: ClaimTest;
  /** The test in words, e.g. "95% CI > 0" or "90% CI inside 0 ± 0.2 (TOST)". */
  testText: string;
  /** The check kind in words: "greater than 0", "not below 0 by more than 0.03", ... */
  kindText: string;
  /** Mean and 95% t-interval over seeds. */
  estimate: MeanCI;
  /** The interval the test reads: the 95% CI, or the 90% CI for equivalence. */
  testInterval: { lo: number; hi: number; level: number };
  power: ClaimPower;
  samples: number[];
  holds: boolean;
  verdict: 'reproduced' | 'not reproduced';
  note: string;
}

function finite(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`checkClaim: ${field} must be a finite number, got ${String(x)}`);
  return x;
}

/** The reference value c of a test (default 0). */
function centre(t: ClaimTest): number {
  return (t.kind === 'equivalent' ? t.to : t.than) ?? 0;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf' : x < 0 ? '-inf' : 'NaN';
  return Number(x.toPrecision(3)).toString();
}

function describeKind(t: ClaimTest): string {
  const c = fmt(centre(t));
  switch (t.kind) {
    case 'greater':
      return `greater than ${c}`;
    case 'less':
      return `less than ${c}`;
    case 'notBelow':
      return `not below ${c} by more than ${fmt(t.margin.value)}`;
    case 'notAbove':
      return `not above ${c} by more than ${fmt(t.margin.value)}`;
    case 'equivalent':
      return `equivalent to ${c} within ±${fmt(t.margin.value)}`;
  }
}

function describeTest(t: ClaimTest): string {
  const c = centre(t);
  switch (t.kind) {
    case 'greater':
      return `95% CI > ${fmt(c)}`;
    case 'less':
      return `95% CI < ${fmt(c)}`;
    case 'notBelow':
      return `95% CI lo > ${fmt(c - t.margin.value)}`;
    case 'notAbove':
      return `95% CI hi < ${fmt(c + t.margin.value)}`;
    case 'equivalent':
      return `90% CI inside ${fmt(c)} ± ${fmt(t.margin.value)} (TOST)`;
  }
}

function validate(spec: ClaimSpec): void {
  if (!spec || typeof spec !== 'object') throw new Error('checkClaim: expected a claim object');
  if (typeof spec.id !== 'string' || !/^[\w.-]{1,80}$/.test(spec.id)) {
    throw new Error(`checkClaim: id must be 1-80 letters, digits, '.', '_' or '-', got ${JSON.stringify(spec.id)}`);
  }
  const at = `checkClaim(${spec.id})`;
  if (typeof spec.statement !== 'string' || spec.statement.trim() === '') throw new Error(`${at}: statement must be a non-empty string`);
  if (!spec.paper || (typeof spec.paper.value !== 'number' && typeof spec.paper.value !== 'string') || typeof spec.paper.source !== 'string') {
    throw new Error(`${at}: paper must be { value: number | string, source: string }`);
  }
  if (spec.paper.effect !== undefined) finite(spec.paper.effect, `paper.effect (${spec.id})`);
  if (!Array.isArray(spec.ours)) throw new Error(`${at}: ours must be an array with one number per seed`);
  if (spec.ours.length < MIN_SEEDS) {
    throw new Error(`${at}: needs at least ${MIN_SEEDS} seeds (one value each), got ${spec.ours.length}; a check on fewer has no usable interval`);
  }
  spec.ours.forEach((v, i) => finite(v, `ours[${i}] (${spec.id})`));
  const t = spec.test as { kind?: unknown; than?: unknown; to?: unknown; margin?: unknown } | undefined;
  if (!t || !CLAIM_KINDS.includes(t.kind as ClaimKind)) {
    throw new Error(`${at}: test.kind must be one of ${CLAIM_KINDS.join(', ')}, got ${JSON.stringify(t?.kind)}`);
  }
  const ref = t.kind === 'equivalent' ? 'to' : 'than';
  if (t[ref] !== undefined) finite(t[ref], `test.${ref} (${spec.id})`);
  const other = ref === 'to' ? 'than' : 'to';
  if (t[other] !== undefined) throw new Error(`${at}: test.${other} does not apply to kind ${String(t.kind)} (use test.${ref})`);
  const needsMargin = t.kind === 'notBelow' || t.kind === 'notAbove' || t.kind === 'equivalent';
  if (!needsMargin) {
    if (t.margin !== undefined) throw new Error(`${at}: kind ${String(t.kind)} takes no margin (a margin belongs to notBelow, notAbove, equivalent)`);
    return;
  }
  const m = t.margin as Partial<Margin> | undefined;
  if (!m || typeof m !== 'object') {
    throw new Error(`${at}: kind ${String(t.kind)} needs test.margin = { value > 0, reason } stated before the data; without one the check cannot fail for the right reason`);
  }
  if (finite(m.value, `test.margin.value (${spec.id})`) <= 0) throw new Error(`${at}: test.margin.value must be > 0, got ${m.value}`);
  if (typeof m.reason !== 'string' || m.reason.trim().length < 10) {
    throw new Error(`${at}: test.margin.reason must say why the margin has this size (a sentence), got ${JSON.stringify(m.reason)}`);
  }
}

/** Two-sided interval of the mean at `level` (n >= 2). */
function interval(e: MeanCI, level: number): { lo: number; hi: number; level: number } {
  const half = (tQuantile((1 + level) / 2, e.n - 1) * e.sd) / Math.sqrt(e.n);
  return { lo: e.mean - half, hi: e.mean + half, level };
}

/** One-sided alpha of the test's critical value and the power quantile, by kind. */
function quantiles(kind: ClaimKind, df: number): number {
  // TOST splits beta over the two sides at a true difference of 0.
  return kind === 'equivalent' ? tQuantile(0.95, df) + tQuantile(1 - (1 - POWER) / 2, df) : tQuantile(0.975, df) + tQuantile(POWER, df);
}

/**
 * The minimum detectable effect at `n` seeds with seed SD `sd` (80% power), for a check of `kind`. For the margin
 * kinds it is the smallest margin a true difference of 0 passes with 80% power.
 */
export function minimumDetectableEffect(kind: ClaimKind, sd: number, n: number): number {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`minimumDetectableEffect: n must be an integer >= 2, got ${n}`);
  if (!(sd >= 0)) throw new Error(`minimumDetectableEffect: sd must be >= 0, got ${sd}`);
  return (quantiles(kind, n - 1) * sd) / Math.sqrt(n);
}

/** The fewest seeds (up to 1000) at which `effect` is detectable with 80% power at seed SD `sd`; null if none. */
export function seedsNeeded(kind: ClaimKind, sd: number, effect: number): number | null {
  if (!(effect > 0)) return null;
  if (sd === 0) return MIN_SEEDS;
  for (let n = MIN_SEEDS; n <= 1000; n++) if (minimumDetectableEffect(kind, sd, n) <= effect) return n;
  return null;
}

function powerOf(t: ClaimTest, e: MeanCI, paperEffect: number | undefined, holds: boolean): ClaimPower {
  const mde = minimumDetectableEffect(t.kind, e.sd, e.n);
  // Power is judged against an effect fixed before the data (the margin, or the paper's effect scaled to our metric),
  // never against the observed mean: "the observed effect was below the MDE" says nothing a failed test did not.
  const needed = t.kind === 'greater' || t.kind === 'less' ? (paperEffect !== undefined ? Math.abs(paperEffect) : null) : t.margin.value;
  return { mde, needed, seedsNeeded: needed === null ? null : seedsNeeded(t.kind, e.sd, needed), underpowered: !holds && needed !== null && needed < mde };
}

/** Evaluates a claim (pure: no output, no recording). Invalid input throws; a failed test does not. */
export function evaluateClaim(spec: ClaimSpec): ClaimResult {
  validate(spec);
  const estimate = meanCI(spec.ours, 0.95);
  const t = spec.test;
  const c = centre(t);
  const testInterval = t.kind === 'equivalent' ? interval(estimate, 0.9) : { lo: estimate.lo, hi: estimate.hi, level: 0.95 };
  const { lo, hi } = testInterval;
  const holds =
    t.kind === 'greater' ? lo > c
    : t.kind === 'less' ? hi < c
    : t.kind === 'notBelow' ? lo > c - t.margin.value
    : t.kind === 'notAbove' ? hi < c + t.margin.value
    : lo > c - t.margin.value && hi < c + t.margin.value;
  const power = powerOf(t, estimate, spec.paper.effect, holds);
  const note = power.underpowered
    ? `underpowered: the MDE at n=${estimate.n} is ${fmt(power.mde)} > ${fmt(power.needed!)}` +
      (power.seedsNeeded !== null ? `; about ${power.seedsNeeded} seeds would be needed at this SD` : '')
    : '';
  return {
    id: spec.id,
    statement: spec.statement,
    paper: { ...spec.paper },
    test: structuredClone(t),
    testText: describeTest(t),
    kindText: describeKind(t),
    estimate,
    testInterval,
    power,
    samples: [...spec.ours],
    holds,
    verdict: holds ? 'reproduced' : 'not reproduced',
    note,
  };
}

/** "0.512 [0.48, 0.54] (n=5)" */
export function formatEstimate(e: MeanCI): string {
  return `${fmt(e.mean)} [${fmt(e.lo)}, ${fmt(e.hi)}] (n=${e.n})`;
}

/** The margin of a result's test with its reason, or '' for the effect kinds. */
export function marginText(r: Pick<ClaimResult, 'test'>): string {
  return r.test.kind === 'greater' || r.test.kind === 'less' ? '' : `±${fmt(r.test.margin.value)}: ${r.test.margin.reason}`;
}

/** "MDE 0.031 (80% power); paper's effect 0.05" */
export function powerText(r: Pick<ClaimResult, 'power' | 'paper'>): string {
  return `MDE ${fmt(r.power.mde)}` + (r.paper.effect !== undefined ? `; paper's effect ${fmt(r.paper.effect)}` : '');
}

const VERDICT_STYLE = {
  reproduced: 'background:#dcfce7;color:#14532d',
  'not reproduced': 'background:#fee2e2;color:#7f1d1d',
} as const;

/** The table cells shared by a notebook's claims table and the reports index: check, margin, power, verdict. */
export function claimCellsHtml(r: ClaimResult): string {
  const margin = marginText(r);
  return (
    `<td>${escapeHtml(formatEstimate(r.estimate))}</td>` +
    `<td>${escapeHtml(r.kindText)}<br><small>${escapeHtml(r.testText)}</small>${margin ? `<br><small>margin ${escapeHtml(margin)}</small>` : ''}</td>` +
    `<td>${escapeHtml(powerText(r))}</td>` +
    `<td class="verdict" style="${VERDICT_STYLE[r.verdict]};font-weight:bold">${r.verdict}${r.note ? `<br><small>${escapeHtml(r.note)}</small>` : ''}</td>`
  );
}

/** Header cells matching {@link claimCellsHtml}. */
export const CLAIM_CELLS_HEAD = '<th>ours: mean [95% CI]</th><th>check</th><th>power (80%)</th><th>verdict</th>';

/** An HTML table of claim results: paper's number beside ours, the check kind and margin, power, the verdict. */
export function claimsTableHtml(results: readonly ClaimResult[]): string {
  const rows = results
    .map(
      (r) =>
        `<tr><td><code>${escapeHtml(r.id)}</code></td><td>${escapeHtml(r.statement)}</td>` +
        `<td>${escapeHtml(String(r.paper.value))}<br><small>${escapeHtml(r.paper.source)}</small></td>${claimCellsHtml(r)}</tr>`,
    )
    .join('\n');
  return `<table class="rlrepro-claims"><thead><tr><th>claim</th><th>statement</th><th>paper</th>${CLAIM_CELLS_HEAD}</tr></thead><tbody>\n${rows}</tbody></table>`;
}

/** Plain-text lines of claim results. */
export function claimsText(results: readonly ClaimResult[]): string {
  return results
    .map((r) => {
      const margin = marginText(r);
      return (
        `${r.verdict.toUpperCase()}: ${r.id} — ours ${formatEstimate(r.estimate)}, check ${r.kindText} (${r.testText})` +
        `${margin ? `, margin ${margin}` : ''}; ${powerText(r)}; paper ${r.paper.value} (${r.paper.source})${r.note ? ` — ${r.note}` : ''}`
      );
    })
    .join('\n');
}

/** JSON view of a result (every bound is finite: a check needs at least 3 seeds). */
export function claimToJson(r: ClaimResult): Record<string, unknown> {
  return { ...r, estimate: { ...r.estimate }, testInterval: { ...r.testInterval }, power: { ...r.power } };
}

/** Output bundle of one claim: the verdict table, a text line, and the result as JSON for the runner. */
export function claimBundle(result: ClaimResult): MimeBundle {
  return { [CLAIM_MIME]: claimToJson(result), 'text/html': claimsTableHtml([result]), 'text/plain': claimsText([result]) };
}

const recorded: ClaimResult[] = [];

/**
 * Evaluates a claim, shows its verdict table in the cell and records it for the claims summary and claims.json.
 * Returns nothing so that a cell ending in `checkClaim(...)` does not also echo the result object (tslab prints a
 * cell's last value); use `evaluateClaim` or `recordedClaims()` for the result.
 */
export function checkClaim(spec: ClaimSpec): void {
  const result = evaluateClaim(spec);
  const at = recorded.findIndex((r) => r.id === result.id);
  // Re-running a cell replaces its claim instead of listing it twice.
  if (at >= 0) recorded[at] = result;
  else recorded.push(result);
  displayBundle(claimBundle(result));
}

/** Claims checked so far in this kernel (or process). */
export function recordedClaims(): readonly ClaimResult[] {
  return [...recorded];
}

/** Shows a summary table of the given claims (default: all recorded). */
export function showClaimsSummary(results: readonly ClaimResult[] = recordedClaims()): void {
  const held = results.filter((r) => r.holds).length;
  const weak = results.filter((r) => r.power.underpowered).length;
  const head = `${held} of ${results.length} claim${results.length === 1 ? '' : 's'} reproduced` + (weak ? ` (${weak} not reproduced for lack of power)` : '');
  displayBundle({ 'text/html': `<p><b>${head}</b></p>${claimsTableHtml(results)}`, 'text/plain': `${head}\n${claimsText(results)}` });
}
