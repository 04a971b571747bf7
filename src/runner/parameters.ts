/**
 * Papermill-style parameters for TypeScript notebooks.
 *
 * The first code cell tagged `parameters` declares defaults with `let` (e.g. `let seeds = 3;`). Overrides are
 * JSON values, written into a new cell tagged `injected-parameters` right after it as plain assignments
 * (`seeds = 5;`), so the declared types still check the values. Assignments, never object shorthand: tslab
 * 1.0.22 throws ReferenceError for `{lr}` when `lr` comes from an earlier cell.
 *
 * The quick preset: a notebook that has one declares `let quick = false;` and reads `quick` when it picks its
 * sizes; `--quick` injects `quick = true` (together with `--param quick=...` it is an error). Explicit parameters
 * win over every preset, the quick one included: notebooks declare preset-backed parameters with the default
 * `null` ("the preset's value") and resolve them with `presetConfig` (src/notebook/parameters.ts).
 */
import { hasTag, joinSource, newCellId, splitLines, type CodeCell, type Notebook } from './nbformat.js';
import { declaredTypes, matchesType } from './parameter-types.js';

export type ParameterValues = Record<string, unknown>;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Parses `--param name=value` arguments; the value must be JSON. A name given twice is an error (which one
 * should win is a guess), and so is `__proto__`, which a plain object cannot hold as a key.
 */
export function parseParamArgs(args: readonly string[]): ParameterValues {
  const out: ParameterValues = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`--param ${arg}: expected name=value, e.g. --param seeds=5`);
    const name = arg.slice(0, eq).trim();
    const text = arg.slice(eq + 1);
    if (!IDENT.test(name)) throw new Error(`--param ${arg}: "${name}" is not a valid identifier`);
    if (name === '__proto__') throw new Error(`--param ${arg}: "__proto__" cannot be a parameter name`);
    if (Object.hasOwn(out, name)) throw new Error(`--param ${name} is given twice; give each parameter once`);
    try {
      out[name] = JSON.parse(text);
    } catch {
      throw new Error(
        `--param ${arg}: the value must be JSON (a number, true/false, null, "a string" in double quotes, [an array] or {an object}); ` +
          `for a string write --param '${name}="${text}"'`,
      );
    }
  }
  return out;
}

/** The overrides a run injects: the `--param` values plus `quick = true` for `--quick`. */
export function requestedParameters(params: ParameterValues, quick: boolean): ParameterValues {
  if (quick && Object.hasOwn(params, 'quick')) {
    throw new Error(`--quick and --param quick=${JSON.stringify(params['quick'])} both set quick; give one of them`);
  }
  return quick ? { ...params, quick: true } : { ...params };
}

export interface DeclaredParameter {
  name: string;
  keyword: 'let' | 'const' | 'var';
}

/** Top-level `let/const/var name` declarations of a parameters cell (one per statement, the papermill style). */
export function declaredParameters(source: string): DeclaredParameter[] {
  const out: DeclaredParameter[] = [];
  const re = /^[ \t]*(?:export[ \t]+)?(let|const|var)[ \t]+([A-Za-z_$][\w$]*)/gm;
  for (const m of source.matchAll(re)) out.push({ keyword: m[1] as DeclaredParameter['keyword'], name: m[2]! });
  return out;
}

/** The first code cell tagged `parameters`, with its index. */
export function findParametersCell(nb: Notebook): { index: number; cell: CodeCell } | null {
  const index = nb.cells.findIndex((c) => c.cell_type === 'code' && hasTag(c, 'parameters'));
  return index < 0 ? null : { index, cell: nb.cells[index] as CodeCell };
}

/** A TypeScript expression for a JSON value (JSON is valid TS; quoted keys avoid the shorthand bug). */
function literal(name: string, value: unknown): string {
  if (value === undefined) throw new Error(`parameter ${name}: undefined is not a JSON value`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`parameter ${name}: ${value} is not a JSON value`);
  return JSON.stringify(value);
}

/**
 * Inserts (or replaces) the `injected-parameters` cell. No values: the notebook is left as it is.
 * Errors name the notebook, the unknown parameter and the known ones.
 */
export function injectParameters(nb: Notebook, values: ParameterValues, notebookName: string): void {
  const names = Object.keys(values);
  // A re-run of an executed notebook replaces the old injected cell, as papermill does.
  const old = nb.cells.findIndex((c) => hasTag(c, 'injected-parameters'));
  if (old >= 0) nb.cells.splice(old, 1);
  if (names.length === 0) return;
  const found = findParametersCell(nb);
  if (!found) {
    throw new Error(
      `${notebookName}: has no code cell tagged "parameters", so it accepts no parameters (got ${names.join(', ')})`,
    );
  }
  const declared = declaredParameters(joinSource(found.cell.source));
  const known = declared.map((d) => d.name);
  for (const name of names) {
    const d = declared.find((x) => x.name === name);
    if (!d) {
      const hint = name === 'quick' ? ' (--quick needs the notebook to declare `let quick = false;`)' : '';
      throw new Error(
        `${notebookName}: unknown parameter "${name}"${hint}; known parameters: ${known.length ? known.join(', ') : '(none)'}`,
      );
    }
    if (d.keyword === 'const') {
      throw new Error(`${notebookName}: parameter "${name}" is declared with const; declare it with let in the parameters cell`);
    }
  }
  // The declared types, so a value the cell could not hold fails here rather than in the kernel.
  const types = declaredTypes(joinSource(found.cell.source));
  for (const name of names) {
    const t = types.get(name);
    if (t && !matchesType(t.type, values[name])) {
      throw new Error(
        `${notebookName}: parameter ${name} must be ${t.text} (as the parameters cell declares it), got ${JSON.stringify(values[name])}`,
      );
    }
  }
  const code = [
    '// Injected by rlrepro run',
    ...names.map((n) => `${n} = ${literal(n, values[n])};`),
    'void 0; // so tslab does not echo the last value',
  ].join('\n');
  const cell: CodeCell = {
    id: newCellId(),
    cell_type: 'code',
    metadata: { tags: ['injected-parameters'] },
    source: splitLines(code),
    outputs: [],
    execution_count: null,
  };
  nb.cells.splice(found.index + 1, 0, cell);
}
