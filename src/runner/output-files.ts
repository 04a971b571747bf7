/**
 * The output folder and the files written into it. The folder is checked (created, written to) before any kernel
 * starts, so a long run never ends in EACCES. Each notebook's outputs are written all-or-nothing: every file goes
 * to a temp file beside its target first (where a full disk fails, leaving the previous run's files untouched),
 * and only then are all renamed over their targets (a rename within a folder is atomic and needs no space).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from './input-error.js';

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Creates `dir` (and missing parents) and proves it writable; errors name `--out` and the reason. */
export function prepareOutDir(dir: string): string {
  if (dir.trim() === '') throw new InputError('--out is empty; name an output folder (default: reports)');
  const abs = resolve(dir);
  // Walk up to the nearest existing path; it must be a folder (a file there is ENOTDIR deep inside mkdir).
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    try {
      if (!statSync(p).isDirectory()) throw new InputError(`--out ${dir}: ${p} is a file, not a folder`);
      break;
    } catch (e) {
      if (e instanceof InputError) throw e;
      if (codeOf(e) !== 'ENOENT' && codeOf(e) !== 'ENOTDIR') throw new InputError(`--out ${dir}: cannot use ${p} (${codeOf(e)})`);
      missing.unshift(p);
      p = dirname(p);
    }
  }
  // One level at a time: mkdirSync's recursive mode can spin forever on some special filesystems (/proc).
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw new InputError(`--out ${dir}: cannot create ${m} (${codeOf(e)})`);
    }
  }
  const probe = join(abs, `.rlrepro-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '');
  } catch (e) {
    throw new InputError(`--out ${dir}: cannot write files there (${codeOf(e)})`);
  } finally {
    rmSync(probe, { force: true });
  }
  return abs;
}

export interface OutputFile {
  path: string;
  data: string;
}

/** Writes every file or none (see the module comment); on failure no temp file is left behind. */
export function writeFilesAtomic(files: readonly OutputFile[]): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
      temps.push(tmp);
      const fd = openSync(tmp, 'wx');
      try {
        writeFileSync(fd, f.data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    files.forEach((f, i) => renameSync(temps[i]!, f.path));
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw e;
  }
}
