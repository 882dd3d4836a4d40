import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm run build:client` makes a package that stands alone: CommonJS and ES modules that
// load in Node and carry no Node-only imports in the main entry, and type declarations a
// project without this repository's path mappings compiles against.
const root = path.resolve(__dirname, '../../..');
const dist = path.join(root, 'libs/client/dist');

describe('the @takes/client package', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'libs/client/build/build.mjs')], { cwd: root, stdio: 'pipe' });
  });

  it('loads as CommonJS and as ES modules, and works offline from either', () => {
    const program = (load: string) => `
      ${load}
      const client = await index.TakesClient.open({ baseUrl: 'http://offline.invalid', app: 'main', online: false, pushDelayMs: null, pullIntervalMs: null });
      const handle = await client.create('inspection', { site: 'a' });
      await handle.update({ site: 'b' });
      await handle.undo();
      console.log(JSON.stringify({ state: handle.state, pending: handle.pending, file: typeof node.FileStorage.open, idb: typeof index.IndexedDbStorage.open }));
      await client.close();`;
    const expected = { state: { site: 'a' }, pending: 1, file: 'function', idb: 'function' };
    const cjs = execFileSync(process.execPath, ['-e', `(async () => { ${program(`const index = require('${dist}/cjs/index.cjs'); const node = require('${dist}/cjs/node.cjs');`)} })()`], { cwd: root }).toString();
    expect(JSON.parse(cjs)).toEqual(expected);
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', program(`const index = await import('${dist}/esm/index.mjs'); const node = await import('${dist}/esm/node.mjs');`)], { cwd: root }).toString();
    expect(JSON.parse(esm)).toEqual(expected);
  });

  it('the main entry imports nothing of Node (browsers, React Native); the Node entry holds the file storage', () => {
    const main = readFileSync(path.join(dist, 'esm/index.mjs'), 'utf8');
    expect(main.match(/^import .* from "([^"]+)";$/gm)?.map((line) => line.replace(/.* from "([^"]+)";/, '$1')).sort()).toEqual(['idb']);
    expect(main).not.toMatch(/\bBuffer\.|\bprocess\.(env|pid|on|exit|nextTick|platform)\b|\brequire\(/);
    expect(readFileSync(path.join(dist, 'esm/node.mjs'), 'utf8')).toContain('node:fs/promises');
  });

  it('its type declarations compile in a project of its own', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'takes-client-types-'));
    try {
      writeFileSync(
        path.join(dir, 'app.ts'),
        `import { TakesClient, type EntityHandle, type SyncStatus } from '${dist}/types/client/src/index';
         import { FileStorage } from '${dist}/types/client/src/node';
         type Inspection = { id: string; site: string; pressure?: number };
         export async function run(storage: FileStorage): Promise<SyncStatus> {
           const client = await TakesClient.open({ baseUrl: 'http://localhost:8080', app: 'main', storage });
           const handle: EntityHandle<Inspection> = await client.create<Inspection>('inspection', { site: 'north' });
           await handle.update({ pressure: 41.5 });
           return client.status;
         }`,
      );
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'commonjs', skipLibCheck: false, types: [], typeRoots: [path.join(root, 'node_modules/@types')] }, files: ['app.ts'] }));
      execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'pipe' });
      writeFileSync(path.join(dir, 'wrong.ts'), `import { TakesClient } from '${dist}/types/client/src/index';\nexport const n: number = TakesClient.open;\n`);
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['wrong.ts'] }));
      expect(() => execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
