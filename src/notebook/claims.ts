/**
 * Claim checks: a paper's claim, our per-seed results, a pre-registered test on the 95% t-interval of their mean,
 * and a verdict. A claim that does not hold renders as "not reproduced" — it never throws — so a report is always
 * written; `rlrepro run --fail-on-claims` turns unreproduced claims into a failing exit status.
 *
 * Tests (all on the two-sided 95% interval [lo, hi] of the mean over seeds; one seed has no interval, so no test
 * can pass on one seed):
 * - greater than c:    lo > c          (e.g. "RL improves accuracy": ours = gains, than 0)
 * - less than c:       hi < c
 * - notGreater than c: lo <= c         ("does not improve over c": weak with few seeds — it also holds when the
 *                                       interval is just wide; report n and the interval beside it)
 * - notLess than c:    hi >= c
 * - within tol of c:   c - tol <= lo and hi <= c + tol   (the whole interval inside the band)
 */
import { meanCI, type MeanCI } from '../eval/stats.js';
import { displayBundle, type MimeBundle } from './display.js';
import { escapeHtml } from './html-escape.js';
import { CLAIM_MIME } from './mime.js';

export type ClaimTest =
  | { kind: 'greater'; than: number }
  | { kind: 'less'; than: number }
  | { kind: 'notGreater'; than: number }
  | { kind: 'notLess'; than: number }
  | { kind: 'within'; of: number; tolerance: number };

export interface ClaimSpec {
  /** Short stable id, e.g. "psr-beats-nsr-at-pass1" (letters, digits, . _ -). */
  id: string;
  /** The claim in one sentence, as the paper makes it. */
  statement: string;
  /** The paper's number (or a short text like "+5.9 pts") and where it is: "arXiv 2506.01347, Table 2". */
  paper: { value: number | string; source: string };
  /** Our measurement, one value per seed. */
  ours: number[];
  test: ClaimTest;
}

export interface ClaimResult {
  id: string;
  statement: string;
  paper: { value: number | string; source: string };
  test: ClaimTest;
  /** The test in words, e.g. "95% CI of the mean > 0". */
  testText: string;
  /** Mean and 95% t-interval over seeds. Infinite bounds (one seed) become null in JSON. */
  estimate: MeanCI;
  samples: number[];
  holds: boolean;
  verdict: 'reproduced' | 'not reproduced';
  note: string;
}

const KINDS = ['greater', 'less', 'notGreater', 'notLess', 'within'] as const;

function finite(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`checkClaim: ${field} must be a finite number, got ${String(x)}`);
  return x;
}

function describeTest(t: ClaimTest): string {
  switch (t.kind) {
    case 'greater':
      return `95% CI > ${t.than}`;
    case 'less':
      return `95% CI < ${t.than}`;
    case 'notGreater':
      return `not significantly > ${t.than} (CI lo <= ${t.than})`;
    case 'notLess':
      return `not significantly < ${t.than} (CI hi >= ${t.than})`;
    case 'within':
      return `95% CI within ${t.of} ± ${t.tolerance}`;
  }
}

function validate(spec: ClaimSpec): void {
  if (!spec || typeof spec !== 'object') throw new Error('checkClaim: expected a claim object');
  if (typeof spec.id !== 'string' || !/^[\w.-]{1,80}$/.test(spec.id)) {
    throw new Error(`checkClaim: id must be 1-80 letters, digits, '.', '_' or '-', got ${JSON.stringify(spec.id)}`);
  }
  if (typeof spec.statement !== 'string' || spec.statement.trim() === '') throw new Error(`checkClaim(${spec.id}): statement must be a non-empty string`);
  if (!spec.paper || (typeof spec.paper.value !== 'number' && typeof spec.paper.value !== 'string') || typeof spec.paper.source !== 'string') {
    throw new Error(`checkClaim(${spec.id}): paper must be { value: number | string, source: string }`);
  }
  if (!Array.isArray(spec.ours) || spec.ours.length === 0) {
    throw new Error(`checkClaim(${spec.id}): ours must be a non-empty array with one number per seed`);
  }
  spec.ours.forEach((v, i) => finite(v, `ours[${i}] (${spec.id})`));
  const t = spec.test as { kind?: unknown } | undefined;
  if (!t || !KINDS.includes(t.kind as (typeof KINDS)[number])) {
    throw new Error(`checkClaim(${spec.id}): test.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(t?.kind)}`);
  }
  if (spec.test.kind === 'within') {
    finite(spec.test.of, `test.of (${spec.id})`);
    if (finite(spec.test.tolerance, `test.tolerance (${spec.id})`) < 0) throw new Error(`checkClaim(${spec.id}): test.tolerance must be >= 0`);
  } else {
    finite(spec.test.than, `test.than (${spec.id})`);
  }
}

/** Evaluates a claim (pure: no output, no recording). Invalid input throws; a failed test does not. */
export function evaluateClaim(spec: ClaimSpec): ClaimResult {
  validate(spec);
  const estimate = meanCI(spec.ours, 0.95);
  const { lo, hi } = estimate;
  const t = spec.test;
  const holds =
    t.kind === 'greater' ? lo > t.than
    : t.kind === 'less' ? hi < t.than
    : t.kind === 'notGreater' ? lo <= t.than
    : t.kind === 'notLess' ? hi >= t.than
    : lo >= t.of - t.tolerance && hi <= t.of + t.tolerance;
  // One seed gives lo = -inf, hi = +inf, which would make notGreater/notLess "hold" vacuously: never count it.
  const oneSeed = estimate.n < 2;
  const reproduced = holds && !oneSeed;
  return {
    id: spec.id,
    statement: spec.statement,
    paper: { ...spec.paper },
    test: { ...spec.test },
    testText: describeTest(t),
    estimate,
    samples: [...spec.ours],
    holds: reproduced,
    verdict: reproduced ? 'reproduced' : 'not reproduced',
    note: oneSeed ? 'one seed: no confidence interval, so the claim cannot be tested' : '',
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+inf' : x < 0 ? '-inf' : 'NaN';
  return Number(x.toPrecision(3)).toString();
}

/** "0.512 [0.48, 0.54] (n=5)" */
export function formatEstimate(e: MeanCI): string {
  return `${fmt(e.mean)} [${fmt(e.lo)}, ${fmt(e.hi)}] (n=${e.n})`;
}

const VERDICT_STYLE = {
  reproduced: 'background:#dcfce7;color:#14532d',
  'not reproduced': 'background:#fee2e2;color:#7f1d1d',
} as const;

/** An HTML table of claim results: paper's number beside ours, the test and the verdict. */
export function claimsTableHtml(results: readonly ClaimResult[]): string {
  const rows = results
    .map(
      (r) =>
        `<tr><td><code>${escapeHtml(r.id)}</code></td><td>${escapeHtml(r.statement)}</td>` +
        `<td>${escapeHtml(String(r.paper.value))}<br><small>${escapeHtml(r.paper.source)}</small></td>` +
        `<td>${escapeHtml(formatEstimate(r.estimate))}</td><td>${escapeHtml(r.testText)}</td>` +
        `<td class="verdict" style="${VERDICT_STYLE[r.verdict]};font-weight:bold">${r.verdict}${r.note ? `<br><small>${escapeHtml(r.note)}</small>` : ''}</td></tr>`,
    )
    .join('\n');
  return (
    `<table class="rlrepro-claims"><thead><tr><th>claim</th><th>statement</th><th>paper</th>` +
    `<th>ours: mean [95% CI]</th><th>test</th><th>verdict</th></tr></thead><tbody>\n${rows}</tbody></table>`
  );
}

/** Plain-text lines of claim results. */
export function claimsText(results: readonly ClaimResult[]): string {
  return results
    .map((r) => `${r.verdict.toUpperCase()}: ${r.id} — ours ${formatEstimate(r.estimate)}, test ${r.testText}; paper ${r.paper.value} (${r.paper.source})${r.note ? ` — ${r.note}` : ''}`)
    .join('\n');
}

/** JSON view of a result: infinite interval bounds become null (JSON has no Infinity). */
export function claimToJson(r: ClaimResult): Record<string, unknown> {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return { ...r, estimate: { mean: r.estimate.mean, lo: num(r.estimate.lo), hi: num(r.estimate.hi), n: r.estimate.n, sd: num(r.estimate.sd) } };
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
  const head = `${held} of ${results.length} claim${results.length === 1 ? '' : 's'} reproduced`;
  displayBundle({ 'text/html': `<p><b>${head}</b></p>${claimsTableHtml(results)}`, 'text/plain': `${head}\n${claimsText(results)}` });
}
