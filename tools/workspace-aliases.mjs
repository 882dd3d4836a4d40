// Where the workspace libs a browser build uses live, for Vite's resolve.alias: the libs'
// TypeScript sources (the paths of tsconfig.base.json that a front end may import).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @takes/client, @takes/contracts and @takes/ids, by name, to their src/index.ts. */
export const workspaceAliases = Object.fromEntries(['client', 'contracts', 'ids'].map((lib) => [`@takes/${lib}`, path.join(root, 'libs', lib, 'src/index.ts')]));
