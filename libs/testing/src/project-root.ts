import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder up from here that holds nx.json. */
function findProjectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (nx.json)');
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot();
