/**
 * Rich output from library code running inside a tslab kernel.
 *
 * tslab's public `display.raw(mime, data)` sends ONE mime type per output, but a Plotly figure or a claim needs a
 * bundle (the plotly JSON plus an HTML fallback plus text). tslab keeps the function that writes display_data for
 * the running cell in `tslab/dist/jupyter.js` (`lastWriteDisplayData`, what `display.raw` itself calls); we call it
 * with a whole bundle. We only look for that module in the require cache: inside a kernel tslab has loaded it;
 * outside (tests, scripts) it is absent and we never load it (it would pull in the TypeScript compiler).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

export type MimeBundle = Record<string, unknown>;

type WriteDisplayData = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

const require = createRequire(import.meta.url);

function kernelWriter(): WriteDisplayData | null {
  const fromModule = (m: NodeJS.Module | undefined): WriteDisplayData | null => {
    const w = (m?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    return typeof w === 'function' ? (w as WriteDisplayData) : null;
  };
  try {
    const w = fromModule(require.cache[require.resolve('tslab/dist/jupyter.js')]);
    if (w) return w;
  } catch {
    // tslab not resolvable from here: fall through to the scan.
  }
  // A kernel started from another tslab install (e.g. a global one) has its own copy.
  for (const [key, mod] of Object.entries(require.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) {
      const w = fromModule(mod);
      if (w) return w;
    }
  }
  return null;
}

/** True inside a tslab kernel cell, where rich output is possible. */
export function inKernel(): boolean {
  return kernelWriter() !== null;
}

export interface DisplayOptions {
  /** Output metadata. */
  metadata?: Record<string, unknown>;
  /** Stable id: a later `update: true` display with the same id replaces this output in place. */
  displayId?: string;
  /** Replace the output with `displayId` instead of adding one. */
  update?: boolean;
}

/**
 * Shows a mime bundle in the current cell. Outside a kernel, prints its `text/plain` (if any) and returns false.
 */
export function displayBundle(data: MimeBundle, options: DisplayOptions = {}): boolean {
  const write = kernelWriter();
  if (!write) {
    const text = data['text/plain'];
    if (typeof text === 'string' && !options.update) console.log(text);
    return false;
  }
  const transient = options.displayId ? { display_id: options.displayId } : {};
  write({ data, metadata: options.metadata ?? {}, transient }, options.update === true);
  return true;
}

/** A fresh display id for outputs that will be updated in place. */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}
