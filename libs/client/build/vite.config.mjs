// The publishable build of @takes/client: ES modules and CommonJS, one file per entry
// (`@takes/client`, `@takes/client/node`), with the workspace libs it uses
// (@takes/contracts, @takes/ids) and fast-json-patch bundled in; idb stays an npm dependency.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceAliases } from '../../../tools/workspace-aliases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

export default {
  configFile: false,
  logLevel: 'warn',
  resolve: { alias: workspaceAliases },
  build: {
    outDir: path.resolve(here, '../dist'),
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    target: 'es2022',
    lib: {
      entry: { index: path.resolve(here, '../src/index.ts'), node: path.resolve(here, '../src/node.ts') },
      formats: ['es', 'cjs'],
      fileName: (format, name) => (format === 'es' ? `esm/${name}.mjs` : `cjs/${name}.cjs`),
    },
    rollupOptions: {
      // fast-json-patch is bundled: Node's ES module loader cannot take named exports from its CommonJS main.
      external: ['idb', /^node:/],
    },
  },
};
