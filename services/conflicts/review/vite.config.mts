import path from 'node:path';
import { defineConfig } from 'vite';
import { workspaceAliases } from '../../../tools/workspace-aliases.mjs';

// The review page: served by the conflicts service at /review/ from dist/review
// (tools/build.mjs builds it with the rest; `npx vite services/conflicts/review` serves it for work on it).
export default defineConfig({
  root: import.meta.dirname,
  base: '/review/',
  logLevel: 'warn',
  // The page talks to the gateway through @takes/client's Transport (bearer token, one refresh on a 401).
  resolve: { alias: workspaceAliases },
  build: {
    outDir: path.resolve(import.meta.dirname, '../../../dist/review'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
