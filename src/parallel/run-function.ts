/** How a run function is named (module + export) and loaded, the same way in a worker and in-process. */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a run function receives besides its config. */
export interface RunContext {
  /** Index of this config in `configs`. */
  readonly index: number;
  /**
   * Sends progress (plain data, e.g. `{ step, loss }`) to the caller's `onProgress`. Cheap but not free across
   * threads: call it per step or less often, not per token.
   */
  progress(data: unknown): void;
}

/** An experiment run: one config in, one plain-data result out. The context may be ignored. */
export type RunFunction<C, R> = (config: C, context: RunContext) => Promise<R> | R;

/**
 * Normalises `module` (an absolute path, a `file:` URL string such as `import.meta.url`, or a URL) to a file URL
 * string, and checks that the file exists.
 */
export function resolveModuleUrl(module: string | URL): string {
  let url: URL;
  if (module instanceof URL) url = module;
  else if (typeof module !== 'string' || module.trim() === '') {
    throw new Error('runParallel: module must be a non-empty absolute path or file: URL (e.g. import.meta.url)');
  } else if (module.startsWith('file:')) url = new URL(module);
  else if (isAbsolute(module)) url = pathToFileURL(module);
  else {
    throw new Error(
      `runParallel: module must be an absolute path or a file: URL (e.g. import.meta.url), got "${module}"; ` +
        'a relative path would resolve differently in a worker',
    );
  }
  if (url.protocol !== 'file:') throw new Error(`runParallel: module must be a file: URL, got "${url.href}"`);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new Error(`runParallel: module ${path} does not exist (a compiled .js module is expected)`);
  }
  return url.href;
}

/** Imports `moduleUrl` and returns its export `exportName`, which must be a function. */
export async function loadRunFunction<C, R>(moduleUrl: string, exportName: string): Promise<RunFunction<C, R>> {
  const mod = (await import(moduleUrl)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new Error(
      `runParallel: exportName "${exportName}" of ${moduleUrl} is ${fn === undefined ? 'not exported' : `a ${typeof fn}`}, ` +
        `not a function; its function exports are: ${names.length > 0 ? names.join(', ') : '(none)'}`,
    );
  }
  return fn as RunFunction<C, R>;
}

export function validateExportName(exportName: unknown): string {
  if (typeof exportName !== 'string' || exportName.trim() === '') {
    throw new Error('runParallel: exportName must be a non-empty string naming an exported async function');
  }
  return exportName;
}
