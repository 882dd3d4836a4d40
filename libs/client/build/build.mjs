// `npm run build:client`: builds libs/client/dist (ESM, CJS, type declarations) for publishing.
// The declarations of the bundled workspace libs go beside the client's, and their
// `@takes/...` imports are rewritten to relative paths, so the package stands alone.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import config from './vite.config.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');
const started = Date.now();
rmSync(dist, { recursive: true, force: true });
await build(config);
execFileSync(process.execPath, [path.resolve(here, '../../../node_modules/typescript/bin/tsc'), '-p', path.join(here, 'tsconfig.types.json')], { stdio: 'inherit' });

const types = path.join(dist, 'types');
const workspace = { '@takes/contracts': 'contracts/src/index', '@takes/ids': 'ids/src/index' };
function* declarations(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* declarations(full);
    else if (name.endsWith('.d.ts')) yield full;
  }
}
for (const file of declarations(types)) {
  let text = readFileSync(file, 'utf8');
  for (const [name, target] of Object.entries(workspace)) {
    let relative = path.relative(path.dirname(file), path.join(types, target)).split(path.sep).join('/');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    text = text.replaceAll(`'${name}'`, `'${relative}'`).replaceAll(`"${name}"`, `"${relative}"`);
  }
  writeFileSync(file, text);
}
process.stderr.write(`build:client: libs/client/dist in ${Date.now() - started} ms\n`);
