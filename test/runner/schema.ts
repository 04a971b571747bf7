/**
 * nbformat 4.5 validation for the runner tests, against the official JSON schema (`nbformat.v4.5.schema.json`,
 * copied unchanged from the Jupyter nbformat package, BSD-3-Clause; draft-04, hence ajv-draft-04). No Python needed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { fixturesDir } from './harness.js';

// ajv-draft-04 is CommonJS with `exports.default`; require() gives its class without ESM interop guesswork.
type AjvClass = new (options: object) => { compile(schema: object): ValidateFunction };
const { default: Ajv } = createRequire(import.meta.url)('ajv-draft-04') as { default: AjvClass };

const schema = JSON.parse(readFileSync(join(fixturesDir, 'nbformat.v4.5.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Problems of a notebook against nbformat 4.5 ([] when valid). */
export function nbformatErrors(nb: unknown): string[] {
  if (validate(nb)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
