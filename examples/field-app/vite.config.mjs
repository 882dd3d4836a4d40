// Builds the field app into dist/examples/field-app, with @takes/client (and the workspace
// libs it uses) taken from their sources.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workspaceAliases } from '../../tools/workspace-aliases.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export default {
  configFile: false,
  root: here,
  base: './',
  logLevel: 'warn',
  resolve: { alias: workspaceAliases },
  build: { outDir: path.join(root, 'dist/examples/field-app'), emptyOutDir: true, target: 'es2022', sourcemap: true },
};
