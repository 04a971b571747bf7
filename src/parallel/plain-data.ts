/**
 * Configs and results cross a thread boundary by structured clone, which silently turns a class instance (a
 * `tf.Tensor`, an `Rng`) into a bare object without its methods. Checking for plain data up front, in the serial
 * path as well, makes such a mistake a clear error in both modes instead of garbage in one of them.
 */

const TYPED_ARRAY = Object.getPrototypeOf(Int8Array) as abstract new () => unknown;

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || proto === Object.prototype;
}

/**
 * Throws unless `value` is plain data: primitives (no symbols), arrays, plain objects, typed arrays, ArrayBuffer,
 * DataView, Date, Map and Set of such. `label` names the value in the error (e.g. `result of config #3`), followed by
 * the path to the offending field (`.weights[2]`).
 */
export function assertPlainData(value: unknown, label: string): void {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string): void => {
    const t = typeof v;
    if (v === null || t === 'undefined' || t === 'boolean' || t === 'number' || t === 'bigint' || t === 'string') return;
    const where = `${label}${path === '' ? '' : ` at ${path}`}`;
    if (t === 'function' || t === 'symbol') {
      throw new Error(`${where} is a ${t}; configs and results must be plain data (numbers, strings, arrays, typed arrays, plain objects)`);
    }
    const o = v as object;
    if (seen.has(o)) return;
    seen.add(o);
    if (Array.isArray(o)) {
      o.forEach((x, i) => visit(x, `${path}[${i}]`));
      return;
    }
    if (o instanceof TYPED_ARRAY || o instanceof ArrayBuffer || o instanceof DataView || o instanceof Date) return;
    if (o instanceof Map) {
      for (const [k, x] of o) {
        visit(k, `${path}<key>`);
        visit(x, `${path}.get(${String(k)})`);
      }
      return;
    }
    if (o instanceof Set) {
      for (const x of o) visit(x, `${path}<element>`);
      return;
    }
    if (!isPlainObject(o)) {
      const name = (o as { constructor?: { name?: string } }).constructor?.name ?? 'class instance';
      throw new Error(
        `${where} is a ${name}; configs and results must be plain data (numbers, strings, arrays, typed arrays, ` +
          'plain objects): read tensors with dataSync()/arraySync() and pass seeds or Rng states instead of objects',
      );
    }
    for (const [k, x] of Object.entries(o)) visit(x, `${path}.${k}`);
  };
  visit(value, '');
}
