#!/usr/bin/env node
/**
 * rlrepro command line.
 *
 *   rlrepro run <notebook.ipynb...> [--param name=value]... [--quick] [--out dir] [--timeout s] [--fail-on-claims]
 *   rlrepro reproduce [--quick] [--out dir] [--timeout s] [--fail-on-claims] [--notebooks dir]
 *   rlrepro shard <notebook.ipynb> --out DIR [--preset P] [--param name=value]... [--index i --count n] [--wait min]
 *   rlrepro merge <notebook.ipynb> DIR [--preset P] [--param name=value]... [--out reportDir]
 *   rlrepro link
 */
import { parseArgs } from 'node:util';
import { mergeCommand, shardCommand } from './cluster/commands.js';
import { liveKernels } from './runner/kernel.js';
import { parseParamArgs } from './runner/parameters.js';
import { InputError, notebooksIn, runNotebooks } from './runner/run.js';
import { ensureSelfLink } from './runner/self-link.js';
import { terminalProgress } from './runner/terminal.js';

const USAGE = `Usage:
  rlrepro run <notebook.ipynb...> [--param name=value]... [--quick] [--out dir] [--timeout s] [--fail-on-claims]
  rlrepro reproduce [--quick] [--out dir] [--timeout s] [--fail-on-claims] [--notebooks dir]
  rlrepro shard <notebook.ipynb> --out DIR [--preset P] [--param name=value]... [--index i --count n] [--wait min]
  rlrepro merge <notebook.ipynb> DIR [--preset P] [--param name=value]... [--out reportDir]
  rlrepro link

  run        execute notebooks through the tslab kernel; write <out>/<name>.ipynb, .html and .claims.json
  reproduce  run every notebook in notebooks/ in name order, then write <out>/index.html
  shard      run shard i of n of a notebook's sweep, saving each finished run under DIR (index from --index,
             SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); stops at a phase other shards still owe (run it again)
  merge      execute the notebook on the runs stored in DIR (nothing trains): the usual ipynb, html, claims.json
  link       make node_modules/rlrepro point at this package, so notebooks opened in Jupyter can import
             'rlrepro' (run and reproduce do this themselves)

  --param name=value  override a parameter of the cell tagged "parameters"; value is JSON (5, true, "text", [1,2])
  --quick             the notebook's quick preset (injects quick = true)
  --out dir           output folder (default: reports)
  --timeout s         per-cell timeout in seconds (default: 3600)
  --fail-on-claims    exit 3 when a claim is not reproduced (default: report it, exit 0)

  An explicit --param wins over --quick; a --param name given twice is an error.

Exit status: 0 ok, 1 a notebook failed (or its outputs could not be written), 2 bad input (found before a kernel
starts, or a ParameterError from the notebook), 3 claims not reproduced (with --fail-on-claims).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === 'link') {
    process.stderr.write((ensureSelfLink(process.cwd()) ?? 'rlrepro: node_modules/rlrepro already resolves') + '\n');
    return 0;
  }
  const log = (line: string) => process.stderr.write(line + '\n');
  if (command === 'shard') return shardCommand(rest, log);
  if (command === 'merge') return mergeCommand(rest, log);
  if (command !== 'run' && command !== 'reproduce') {
    process.stderr.write(`rlrepro: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      param: { type: 'string', multiple: true, short: 'p' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      'fail-on-claims': { type: 'boolean' },
      notebooks: { type: 'string' },
    },
  });
  const timeoutS = values.timeout === undefined ? 3600 : Number(values.timeout);
  if (!(Number.isFinite(timeoutS) && timeoutS > 0)) throw new InputError(`--timeout must be a positive number of seconds, got ${values.timeout}`);
  let paths: string[];
  if (command === 'run') {
    if (values.notebooks) throw new InputError('--notebooks is an option of reproduce; run takes notebook files');
    paths = positionals;
  } else {
    if (positionals.length) throw new InputError(`reproduce takes no notebook arguments (got ${positionals.join(' ')}); use run`);
    if (values.param?.length) throw new InputError('reproduce runs notebooks with their defaults; use run --param for overrides');
    paths = notebooksIn(values.notebooks ?? 'notebooks');
    if (paths.length === 0) throw new InputError(`${values.notebooks ?? 'notebooks'}: no .ipynb files`);
  }
  const result = await runNotebooks(paths, {
    params: parseParamArgs(values.param ?? []),
    quick: values.quick ?? false,
    outDir: values.out ?? 'reports',
    timeoutS,
    failOnClaims: values['fail-on-claims'] ?? false,
    writeIndex: command === 'reproduce',
    onProgress: terminalProgress(),
  });
  if (result.problems.length) {
    process.stderr.write(`\n${result.problems.length} problem(s):\n${result.problems.map((p) => '  ' + p.replace(/\n/g, '\n  ')).join('\n')}\n`);
  }
  return result.exitCode;
}

// Ctrl-C / SIGTERM: shut kernels down before exiting, so no kernel process outlives the command.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nrlrepro: ${signal}, shutting down ${liveKernels().length} kernel(s)\n`);
    void Promise.all(liveKernels().map((k) => k.shutdown(500))).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const bad = e instanceof InputError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') || /^--param /.test((e as Error).message);
    process.stderr.write(`rlrepro: ${(e as Error).message}\n`);
    void Promise.all(liveKernels().map((k) => k.shutdown(500))).finally(() => process.exit(bad ? 2 : 1));
  },
);
