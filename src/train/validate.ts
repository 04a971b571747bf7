/**
 * Field validation for the training configs: every bad value is an error that names the field and the accepted
 * range, and an unknown key (a typo such as `warmupStep`) is an error instead of a silently ignored option.
 */

/** Throws unless `x` is a finite number in [lo, hi] (or [lo, hi) with `hiOpen`), naming the field. */
export function checkRange(field: string, x: unknown, lo: number, hi: number, hiOpen = false): number {
  const ok = typeof x === 'number' && Number.isFinite(x) && x >= lo && (hiOpen ? x < hi : x <= hi);
  if (!ok) throw new Error(`${field} must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${show(x)}`);
  return x as number;
}

/** Throws unless `x` is an integer >= `min`, naming the field. */
export function checkInt(field: string, x: unknown, min: number): number {
  if (!(typeof x === 'number' && Number.isInteger(x) && x >= min))
    throw new Error(`${field} must be an integer >= ${min}, got ${show(x)}`);
  return x;
}

/** Throws if `obj` has a key outside `allowed`, naming it and listing the valid keys. */
export function checkKeys(what: string, obj: object, allowed: readonly string[]): void {
  for (const k of Object.keys(obj))
    if (!allowed.includes(k)) throw new Error(`${what}: unknown key "${k}"; valid keys are ${allowed.join(', ')}`);
}

/** Throws unless `x` is one of `choices`, naming the field and listing them. */
export function checkChoice<T extends string>(field: string, x: unknown, choices: readonly T[]): T {
  if (!(choices as readonly unknown[]).includes(x))
    throw new Error(`${field} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${show(x)}`);
  return x as T;
}

function show(x: unknown): string {
  return typeof x === 'string' ? `"${x}"` : String(x);
}
