/**
 * Named float32 arrays on disk: one little-endian `.bin` with the arrays back to back and a JSON index of names,
 * shapes, offsets and the file's sha256, so a truncated or corrupted file is an error instead of wrong weights.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedArray } from './optimizer.js';

const FORMAT = 'rlrepro-tensors';
const VERSION = 1;

interface Entry {
  name: string;
  shape: number[];
  /** Offset in float32 elements from the start of the .bin. */
  offset: number;
  length: number;
}

interface Index {
  format: typeof FORMAT;
  version: number;
  dtype: 'float32';
  byteLength: number;
  sha256: string;
  tensors: Entry[];
}

/** Writes `<dir>/<base>.bin` and `<dir>/<base>.json` in the key order of `arrays`. */
export function writeTensors(dir: string, base: string, arrays: Record<string, NamedArray>): void {
  if (!littleEndian()) throw new Error('writeTensors: big-endian hosts are not supported');
  let total = 0;
  const tensors: Entry[] = [];
  for (const [name, a] of Object.entries(arrays)) {
    const size = a.shape.reduce((x, y) => x * y, 1);
    if (size !== a.data.length)
      throw new Error(`writeTensors: "${name}" has shape [${a.shape}] (${size} values) but ${a.data.length} values`);
    tensors.push({ name, shape: [...a.shape], offset: total, length: size });
    total += size;
  }
  const all = new Float32Array(total);
  for (const e of tensors) all.set(arrays[e.name]!.data, e.offset);
  const bytes = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
  const index: Index = { format: FORMAT, version: VERSION, dtype: 'float32', byteLength: bytes.length, sha256: sha256(bytes), tensors };
  writeFileSync(join(dir, `${base}.bin`), bytes);
  writeFileSync(join(dir, `${base}.json`), JSON.stringify(index, null, 1) + '\n');
}

/** Reads arrays written by `writeTensors`, verifying size and sha256; errors name the file. */
export function readTensors(dir: string, base: string): Record<string, NamedArray> {
  const idxPath = join(dir, `${base}.json`);
  const binPath = join(dir, `${base}.bin`);
  for (const p of [idxPath, binPath]) if (!existsSync(p)) throw new Error(`checkpoint file missing: ${p}`);
  let index: Index;
  try {
    index = JSON.parse(readFileSync(idxPath, 'utf8')) as Index;
  } catch (e) {
    throw new Error(`${idxPath}: not valid JSON (${(e as Error).message})`);
  }
  if (index.format !== FORMAT || index.version !== VERSION || index.dtype !== 'float32')
    throw new Error(`${idxPath}: not an ${FORMAT} v${VERSION} float32 index`);
  const bytes = readFileSync(binPath);
  if (bytes.length !== index.byteLength)
    throw new Error(`${binPath}: ${bytes.length} bytes but the index says ${index.byteLength} (truncated or replaced)`);
  const hash = sha256(bytes);
  if (hash !== index.sha256) throw new Error(`${binPath}: sha256 ${hash} does not match the index (${index.sha256}); the file is corrupt`);
  // Copy into an aligned buffer (a Buffer's byteOffset need not be a multiple of 4).
  const all = new Float32Array(bytes.length / 4);
  new Uint8Array(all.buffer).set(bytes);
  const out: Record<string, NamedArray> = {};
  for (const e of index.tensors) {
    if (e.offset + e.length > all.length) throw new Error(`${idxPath}: "${e.name}" extends past the end of ${binPath}`);
    out[e.name] = { shape: e.shape, data: all.slice(e.offset, e.offset + e.length) };
  }
  return out;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}
