/** Mime types of the rich outputs rlrepro writes into notebooks. */

/** Plotly's own mime type: `{ data, layout, config }`; rendered by VS Code, jupyterlab-plotly and our reports. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A claim check's result (`ClaimResult`), carried next to its HTML table so the runner can collect claims. */
export const CLAIM_MIME = 'application/vnd.rlrepro.claim+json';

/** The parameters a notebook resolved and will run with (`presetConfig`), so the runner records what ran. */
export const PARAMETERS_MIME = 'application/vnd.rlrepro.parameters+json';

/**
 * An error raised outside any cell's own code path (an exception thrown from a timer or callback, a promise
 * rejection nobody handled), reported by the kernel preload (src/runner/fault-report.ts) so the runner fails the
 * cell instead of counting it a success.
 */
export const FAULT_MIME = 'application/vnd.rlrepro.fault+json';
