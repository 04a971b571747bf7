// Headless notebook execution and reports (the `rlrepro run` / `rlrepro reproduce` commands).
export { runNotebooks, notebooksIn, InputError, type RunOptions, type RunResult } from './run.js';
export { executeNotebook, describeFailure, type ExecuteNotebookOptions, type NotebookRun, type CellFailure, type ProgressEvent } from './execute.js';
export { startKernel, liveKernels, TslabKernel, type ExecuteOutcome, type StartKernelOptions } from './kernel.js';
export { parseParamArgs, injectParameters, declaredParameters, type ParameterValues } from './parameters.js';
export { readNotebook, parseNotebook, serializeNotebook, type Notebook, type Cell, type CodeCell, type Output } from './nbformat.js';
export { renderReport } from './report-html.js';
export { renderIndex, type RunSummary } from './index-report.js';
export { terminalProgress } from './terminal.js';
