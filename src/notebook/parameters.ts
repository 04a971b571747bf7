/**
 * A notebook's parameters resolved against its presets: the one step between the `parameters` cell and the
 * experiment, so every notebook picks its preset, applies overrides and validates them the same way.
 *
 * Presets are data: a record of named configs. The parameters cell declares `quick`, usually `preset`, and
 * overrides whose default `null` means "the preset's value" (`let seeds: number[] | null = null;`). Rules:
 * - `quick = true` selects the preset named "quick"; with `preset` set to another name than "default" or
 *   "quick" it is an error (two contradicting choices).
 * - A non-null override wins over the preset, the quick one included: `--quick --param 'seeds=[7]'` runs seed 7.
 * - An override keeps the kind of value the chosen preset holds where it lands: the same JSON type; a number is an
 *   integer if the preset's is one, positive if the preset's is positive, non-negative if it is non-negative; an
 *   array is non-empty if the preset's is, has distinct values if the preset's does (a seed listed twice would
 *   count one run twice), and each element is checked against the preset's first element.
 * Errors are `ParameterError`s naming the parameter and what it accepts, thrown before any training; the runner
 * reports them as bad input (exit 2). What will run is shown as an output (PARAMETERS_MIME) that the runner
 * records in claims.json and the report.
 */
import { displayBundle } from './display.js';
import { PARAMETERS_MIME } from './mime.js';

/** A parameter value the notebook cannot run with. */
export class ParameterError extends Error {}
// On the prototype, so the stack's first line (what tslab prints, and the runner reads) already says it.
ParameterError.prototype.name = 'ParameterError';

export interface PresetChoice<K extends string> {
  /** true: the preset named "quick" (what `rlrepro run --quick` sets). */
  quick?: boolean;
  /** A preset name; default (and null) "default". */
  preset?: K | null;
}

/** Parameter name -> the config path(s) it sets, dotted (`'rl.steps'`), when it is not a top-level field of its own name. */
export type OverrideTargets = Record<string, string | readonly string[]>;

const show = (v: unknown) => JSON.stringify(v);

function choosePreset(names: readonly string[], quick: unknown, preset: unknown): string {
  if (quick !== undefined && typeof quick !== 'boolean') throw new ParameterError(`quick must be true or false, got ${show(quick)}`);
  if (preset !== undefined && preset !== null && typeof preset !== 'string') {
    throw new ParameterError(`preset must be one of ${names.map(show).join(', ')}, got ${show(preset)}`);
  }
  const asked = preset ?? 'default';
  if (!names.includes(asked)) throw new ParameterError(`preset must be one of ${names.map(show).join(', ')}, got ${show(asked)}`);
  if (!quick) return asked;
  if (!names.includes('quick')) throw new ParameterError(`quick = true, but there is no "quick" preset (presets: ${names.join(', ')})`);
  if (asked !== 'default' && asked !== 'quick') {
    throw new ParameterError(`quick = true selects the "quick" preset, but preset = ${show(asked)}; set one of them`);
  }
  return 'quick';
}

function pathOf(target: string): string[] {
  return target.split('.');
}

function lookup(obj: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

function assign(obj: object, path: readonly string[], value: unknown): void {
  let cur = obj as Record<string, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  cur[path[path.length - 1]!] = value;
}

/**
 * Why `value` cannot stand where the preset has `like` (`what` names that, e.g. "the preset's 300"), or null when
 * it can. `field` names the parameter (and element) in the message.
 */
function mismatch(field: string, value: unknown, like: unknown, what = `the preset's ${show(like)}`): string | null {
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const got = `, got ${show(value)}`;
  if (kind(value) !== kind(like)) return `${field} must be a${kind(like) === 'array' ? 'n' : ''} ${kind(like)} like ${what}${got}`;
  if (typeof like === 'number') {
    const v = value as number;
    if (Number.isInteger(like) && !Number.isInteger(v)) return `${field} must be an integer like ${what}${got}`;
    if (like > 0 && !(v > 0)) return `${field} must be positive like ${what}${got}`;
    if (like >= 0 && !(v >= 0)) return `${field} must be non-negative like ${what}${got}`;
  }
  if (Array.isArray(like)) {
    const v = value as unknown[];
    if (like.length > 0 && v.length === 0) return `${field} must not be empty (the preset's is ${show(like)})${got}`;
    const distinct = (a: unknown[]) => new Set(a.map(show)).size === a.length;
    if (like.length > 1 && distinct(like) && !distinct(v)) return `${field} must not repeat a value (the preset's ${show(like)} does not)${got}`;
    if (like.length > 0) {
      for (let i = 0; i < v.length; i++) {
        const why = mismatch(`${field}[${i}]`, v[i], like[0], `the preset's elements (e.g. ${show(like[0])})`);
        if (why) return why;
      }
    }
  }
  return null;
}

/**
 * The config a notebook runs: a deep copy of the chosen preset with the non-null overrides applied (see the
 * module comment for the rules). Shows the parameters that will run as an output the runner records.
 *
 *   const config = presetConfig(NEG_PRESETS, { quick: quick, preset: preset, seeds: seeds });
 *   const config = presetConfig(RLIF_PRESETS, { quick: quick, preset: preset, seeds: seeds, rlSteps: rlSteps },
 *     { rlSteps: ['rl.steps', 'checkpoints.final'] });
 *
 * (Keys written out: tslab 1.0.22 throws ReferenceError for the shorthand `{ quick }` of an earlier cell's variable.)
 */
export function presetConfig<K extends string, C extends object>(
  presets: Readonly<Record<K, C>>,
  params: PresetChoice<K> & Record<string, unknown>,
  targets: OverrideTargets = {},
): C {
  const names = Object.keys(presets);
  const name = choosePreset(names, params.quick, params.preset) as K;
  const preset = presets[name];
  const config = structuredClone(preset) as C;
  const ran: Record<string, unknown> = { quick: params.quick === true, preset: name };
  for (const [param, value] of Object.entries(params)) {
    if (param === 'quick' || param === 'preset') continue;
    const t = targets[param] ?? param;
    const paths = (typeof t === 'string' ? [t] : [...t]).map(pathOf);
    for (const p of paths) {
      // A notebook bug rather than bad input: the override would land nowhere.
      if (!lookup(preset, p).found) throw new Error(`presetConfig: the "${name}" preset has no field ${p.join('.')} for parameter ${param}`);
    }
    if (value === null || value === undefined) {
      ran[param] = lookup(config, paths[0]!).value;
      continue;
    }
    for (const p of paths) {
      const why = mismatch(param, value, lookup(preset, p).value);
      if (why) throw new ParameterError(why);
    }
    for (const p of paths) assign(config, p, structuredClone(value));
    ran[param] = value;
  }
  displayBundle({
    [PARAMETERS_MIME]: ran,
    'text/plain': `parameters: ${Object.entries(ran).map(([k, v]) => `${k} ${show(v)}`).join(', ')}`,
  });
  return config;
}
