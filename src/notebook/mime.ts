/** Mime types of the rich outputs rlrepro writes into notebooks. */

/** Plotly's own mime type: `{ data, layout, config }`; rendered by VS Code, jupyterlab-plotly and our reports. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A claim check's result (`ClaimResult`), carried next to its HTML table so the runner can collect claims. */
export const CLAIM_MIME = 'application/vnd.rlrepro.claim+json';

/** The parameters a notebook resolved and will run with (`presetConfig`), so the runner records what ran. */
export const PARAMETERS_MIME = 'application/vnd.rlrepro.parameters+json';
