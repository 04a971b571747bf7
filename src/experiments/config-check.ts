/**
 * Structural check of an experiment config against its presets, which serve as the schema of its keys: a key no
 * preset has is a typo (unless declared optional), a key every preset has is required, and a value must have the
 * JSON type the presets give that key. Elements of an array of objects are checked against the union of the
 * presets' elements (a key every element has is required). What a value may be (a range, a divisibility) is the
 * job of the code that reads it (`rlConfig`, a task's constructor) or of the experiment's own `validate`.
 *
 * Hand-written rather than a schema library: the presets already are the schema, so a second description of the
 * same shape (zod, JSON Schema) would only have to be kept in step with them.
 */

export type JsonType = 'number' | 'string' | 'boolean' | 'null' | 'array' | 'object';

/** What `configShape` learns from the presets. */
export interface ConfigShape {
  types: Set<JsonType>;
  /** Object fields seen, with how many of the merged objects had each. */
  fields: Map<string, { shape: ConfigShape; count: number }>;
  /** Objects merged into `fields` (to tell required keys from optional ones). */
  objects: number;
  /** Merged shape of all array elements. */
  element: ConfigShape | null;
}

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'number' || t === 'string' || t === 'boolean' || t === 'object') return t;
  throw new Error(`a config holds only JSON values, got a ${t}`);
}

function emptyShape(): ConfigShape {
  return { types: new Set(), fields: new Map(), objects: 0, element: null };
}

function merge(shape: ConfigShape, v: unknown): void {
  const t = jsonType(v);
  shape.types.add(t);
  if (t === 'object') {
    shape.objects++;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      const f = shape.fields.get(k) ?? { shape: emptyShape(), count: 0 };
      f.count++;
      merge(f.shape, x);
      shape.fields.set(k, f);
    }
  } else if (t === 'array') {
    for (const x of v as unknown[]) merge((shape.element ??= emptyShape()), x);
  }
}

/** The key schema of a set of presets (see the module comment). */
export function configShape(presets: readonly unknown[]): ConfigShape {
  const shape = emptyShape();
  for (const p of presets) merge(shape, p);
  return shape;
}

/** `a.b[].c` for the path of a field in an optional-key declaration. */
function schemaPath(path: string): string {
  return path.replace(/\[\d+\]/g, '[]').replace(/^config\.?/, '');
}

/**
 * Checks `value` against `shape` (from `configShape`). `optional` declares keys no preset sets, by schema path
 * (`workers`, `rl.gradClip`, `arms[].lambda`) with their JSON type; `delegated` paths (`task`) are checked for their
 * type only, their contents by the code that reads them. Errors name the field: `config.arms[2].lamda`.
 */
export function checkConfigShape(
  value: unknown,
  shape: ConfigShape,
  optional: Readonly<Record<string, JsonType>> = {},
  path = 'config',
  delegated: ReadonlySet<string> = new Set(),
): void {
  const t = jsonType(value);
  if (!shape.types.has(t)) throw new Error(`${path} must be ${[...shape.types].join(' or ')}, got ${t} ${JSON.stringify(value)}`);
  if (delegated.has(schemaPath(path))) return;
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const [k, x] of Object.entries(obj)) {
      if (x === undefined) continue;
      const field = `${path}.${k}`;
      const known = shape.fields.get(k);
      if (known) {
        checkConfigShape(x, known.shape, optional, field, delegated);
        continue;
      }
      const declared = optional[schemaPath(field)];
      if (declared === undefined)
        throw new Error(`${field} is not a field of this config (fields: ${[...shape.fields.keys(), ...optionalFieldsAt(optional, schemaPath(path))].join(', ')})`);
      if (jsonType(x) !== declared) throw new Error(`${field} must be ${declared}, got ${jsonType(x)} ${JSON.stringify(x)}`);
    }
    for (const [k, f] of shape.fields)
      if (f.count === shape.objects && obj[k] === undefined) throw new Error(`${path}.${k} is missing (every preset sets it)`);
  } else if (t === 'array' && shape.element) {
    (value as unknown[]).forEach((x, i) => checkConfigShape(x, shape.element!, optional, `${path}[${i}]`, delegated));
  }
}

function optionalFieldsAt(optional: Readonly<Record<string, JsonType>>, at: string): string[] {
  const prefix = at === '' ? '' : `${at}.`;
  return Object.keys(optional)
    .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('.'))
    .map((p) => p.slice(prefix.length));
}

/** Seeds: a non-empty list of distinct integers. */
export function checkSeeds(seeds: unknown, field = 'config.seeds'): void {
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s)))
    throw new Error(`${field} must be a non-empty list of integers, got ${JSON.stringify(seeds)}`);
  checkDistinct(seeds as number[], field);
}

/** Every value once: `field` names the list in the error. */
export function checkDistinct(values: readonly (string | number)[], field: string): void {
  const seen = new Set<string | number>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`${field} must not repeat a value, got ${JSON.stringify(v)} twice`);
    seen.add(v);
  }
}
