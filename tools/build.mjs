// Compiles every lib, service, benchmark and tool from TypeScript into dist/ with swc,
// then builds the browser front ends with Vite (the review page into dist/review).
// It takes about a second, so `npm start` and the e2e tests always run fresh code.
import { transformFile } from '@swc/core';
import { build as viteBuild } from 'vite';
import { createRequire } from 'node:module';
import { mkdir, readdir, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';

const require = createRequire(import.meta.url);
const { root, swcOptions } = require('./swc-options.cjs');

const sources = ['libs', 'services', 'bench', 'tools'];
const out = path.join(root, 'dist');

// Browser front ends, each a folder with index.html, src/ and vite.config.mts (which names
// its output under dist/). Vite builds them; swc leaves them alone. Add one by appending it.
const frontEnds = [{ name: 'review page', dir: 'services/conflicts/review' }];
const frontEndDirs = new Set(frontEnds.map((frontEnd) => path.join(root, frontEnd.dir)));

async function* tsFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || frontEndDirs.has(full)) continue;
      yield* tsFiles(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts')) {
      yield full;
    }
  }
}

const started = Date.now();
const jobs = [];
for (const source of sources) {
  for await (const file of tsFiles(path.join(root, source))) {
    jobs.push(
      (async () => {
        const rel = path.relative(root, file);
        const target = path.join(out, rel.replace(/\.ts$/, '.js'));
        const options = { ...swcOptions(), filename: file, sourceFileName: path.relative(path.dirname(target), file) };
        const result = await transformFile(file, options);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, result.code + `\n//# sourceMappingURL=${path.basename(target)}.map\n`);
        if (result.map) await writeFile(`${target}.map`, result.map);
      })(),
    );
  }
}
await Promise.all(jobs);
await stat(out).catch(() => mkdir(out));
process.stderr.write(`build: ${jobs.length} files in ${Date.now() - started} ms\n`);

for (const frontEnd of frontEnds) {
  const began = Date.now();
  await viteBuild({ configFile: path.join(root, frontEnd.dir, 'vite.config.mts'), logLevel: 'warn' });
  process.stderr.write(`build: ${frontEnd.name} (${frontEnd.dir}) in ${Date.now() - began} ms\n`);
}
