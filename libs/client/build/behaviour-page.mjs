// Builds the storage behaviour suite into one browser script, dist/client-behaviour/behaviour.js,
// for the IndexedDB run of the suite in Chromium.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { workspaceAliases } from '../../../tools/workspace-aliases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

await build({
  configFile: false,
  logLevel: 'warn',
  resolve: { alias: workspaceAliases },
  build: {
    outDir: path.join(root, 'dist/client-behaviour'),
    emptyOutDir: true,
    minify: false,
    target: 'es2022',
    lib: { entry: path.join(here, '../src/behaviour/behaviour-page.ts'), formats: ['iife'], name: 'behaviour', fileName: () => 'behaviour.js' },
  },
});
