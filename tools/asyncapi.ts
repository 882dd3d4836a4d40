// Writes the AsyncAPI document of Takes' subjects, made from libs/contracts, to docs/asyncapi.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { asyncApiDocument } from '@takes/contracts';

const out = path.resolve(__dirname, '../../docs/asyncapi.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(asyncApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
