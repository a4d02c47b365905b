/** The JSON Schema of slipway.yaml (draft 2020-12), derived from the zod schema: never written by hand. */
import { z } from 'zod';
import { specSchema } from './schema.ts';

export const SCHEMA_ID = 'https://slipway.dev/schema/v1/slipway.schema.json';

export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { $id: SCHEMA_ID, ...schema };
}
