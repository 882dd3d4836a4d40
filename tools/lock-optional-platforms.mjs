// Adds lock entries for optional platform packages (other operating systems' builds of
// swc, nx, ...) that this machine's registry does not serve, so `npm ci` sees a complete
// lock. Each entry is marked optional: npm skips it on a platform it does not fit (and an
// optional package that cannot be fetched never fails an install).
// Run after `npm install` changes package-lock.json: node tools/lock-optional-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    // npm puts a dependency next to its parent or at the root; either counts as present.
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    const version = String(range).replace(/^[~^=]/, '');
    packages[`node_modules/${name}`] = { version, optional: true };
    added += 1;
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lock: ${added} optional platform package(s) recorded\n`);
