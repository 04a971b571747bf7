/** plotly.js from the plotly.js-dist package (11 MB), read once, made safe to inline in a <script> element. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let source: string | null = null;

export function plotlySource(): string {
  if (source === null) {
    const require = createRequire(import.meta.url);
    source = readFileSync(require.resolve('plotly.js-dist'), 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return source;
}
