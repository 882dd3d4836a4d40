import path from 'node:path';
import { defineConfig } from 'vite';

// The review page: served by the conflicts service at /review/ from dist/review
// (tools/build.mjs builds it with the rest; `npx vite services/conflicts/review` serves it for work on it).
export default defineConfig({
  root: import.meta.dirname,
  base: '/review/',
  logLevel: 'warn',
  build: {
    outDir: path.resolve(import.meta.dirname, '../../../dist/review'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
