/**
 * Notebooks import the library by its package name (`from 'rlrepro'`). Node resolves that as a self-reference
 * through package.json `exports`, but tslab type-checks with TypeScript 5.0 and `moduleResolution: node10`, which
 * knows no self-references and looks only in node_modules. So a notebook inside the rlrepro package needs
 * `node_modules/rlrepro` -> the package root (what `npm link` would make), and a built `dist/`.
 */
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function packageRootNamed(start: string, name: string): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
      } catch {
        // an unreadable package.json is not ours
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

function resolvableFrom(start: string, name: string): boolean {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/** Newest modification time (ms) of the .ts files under `dir`. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Makes `import ... from 'rlrepro'` work in notebooks under `notebookDir`. Returns notes to print (the link was
 * created; dist/ is older than src/), or null; throws when the package has not been built at all.
 */
export function ensureSelfLink(notebookDir: string, name = 'rlrepro'): string | null {
  const root = packageRootNamed(notebookDir, name);
  if (!root) return null; // a notebook outside the package uses an installed copy, if any
  const main = join(root, 'dist', 'src', 'index.js');
  if (!existsSync(main)) {
    throw new Error(`${relative(process.cwd(), main) || main} is missing: run \`npm run build\` first (notebooks import the compiled package)`);
  }
  const notes: string[] = [];
  const src = join(root, 'src');
  if (existsSync(src) && newestTs(src) > statSync(main).mtimeMs) {
    // A warning, not an error: editing a notebook-unrelated file should not block a run.
    notes.push(`warning: src/ has changes newer than dist/: notebooks use the old build until \`npm run build\``);
  }
  if (!resolvableFrom(notebookDir, name)) {
    const link = join(root, 'node_modules', name);
    symlinkSync('..', link, 'dir');
    notes.push(`linked ${relative(process.cwd(), link) || link} -> .. so tslab (TypeScript 5.0, node10 resolution) finds '${name}'`);
  }
  return notes.length ? notes.join('\n') : null;
}
