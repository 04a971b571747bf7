/**
 * Stable hashing of a configuration: JSON with object keys sorted at every level, so `{a, b}` and `{b, a}` hash
 * alike. Values JSON would silently drop or mangle (functions, NaN, Infinity, Maps, class instances, typed arrays)
 * are errors naming their path, because two different configs must never hash alike. Properties whose value is
 * `undefined` are skipped, as JSON does.
 */
import { createHash } from 'node:crypto';

/** Canonical JSON of a plain config value (sorted keys, no whitespace). */
export function stableStringify(value: unknown): string {
  return encode(value, '(root)');
}

/** sha256 hex of `stableStringify(value)`. */
export function configHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex');
}

function encode(v: unknown, path: string): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`stableStringify: ${path} is ${v}; only finite numbers can be hashed`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x, i) => encode(x === undefined ? null : x, `${path}[${i}]`)).join(',')}]`;
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw new Error(`stableStringify: ${path} is a ${proto?.constructor?.name ?? 'non-plain object'}; use plain objects and arrays`);
    const rec = v as Record<string, unknown>;
    const parts = Object.keys(rec)
      .sort()
      .filter((k) => rec[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${encode(rec[k], `${path}.${k}`)}`);
    return `{${parts.join(',')}}`;
  }
  throw new Error(`stableStringify: ${path} is a ${typeof v}; only JSON values can be hashed`);
}
