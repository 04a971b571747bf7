/** nbformat 4.5 validation for the runner tests (schema in test/fixtures, no Python needed). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { fixturesDir } from './harness.js';

const schema = JSON.parse(readFileSync(join(fixturesDir, 'nbformat-4.5.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Problems of a notebook against nbformat 4.5 ([] when valid). */
export function nbformatErrors(nb: unknown): string[] {
  if (validate(nb)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
