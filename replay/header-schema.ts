/** Checks a recording header against schemas/recording.schema.json, the one definition writer and reader share. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

let validate: ValidateFunction | undefined;

function schemaFile(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const f = path.join(dir, 'schemas', 'recording.schema.json');
    if (fs.existsSync(f)) return f;
    dir = path.dirname(dir);
  }
  throw new Error(`schemas/recording.schema.json not found above ${__dirname}`);
}

/** The problems with a header, worded as "/board/sha256: must match pattern ...". */
export function headerProblems(header: unknown): string[] {
  validate ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(fs.readFileSync(schemaFile(), 'utf8')));
  if (validate(header)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(header)'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`);
}
