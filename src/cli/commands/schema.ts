/** `slipway schema`: the JSON Schema of slipway.yaml, generated from the same source as validation. */
import { specJsonSchema } from '../../spec/json-schema.ts';
import { type Io, json } from '../output.ts';

export function schemaCommand(io: Io): number {
  io.out(json(specJsonSchema()));
  return 0;
}
