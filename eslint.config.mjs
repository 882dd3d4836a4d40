// Lint: TypeScript rules plus Nx module boundaries, so the architecture is enforced:
// pure libs import only pure libs, services never import each other, nothing reaches
// into another lib's internal files (only its src/index.ts), and only tests, benchmarks
// and a service's own src/testing/ folder import libs/testing (type:lib-testing).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const productionConstraints = [
  { sourceTag: 'type:lib-pure', onlyDependOnLibsWithTags: ['type:lib-pure'] },
  { sourceTag: 'type:lib-io', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io'] },
  { sourceTag: 'type:lib-testing', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io', 'type:lib-testing'] },
];
const boundaries = (depConstraints) => ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }];

export default [
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', '.data/**', '.nx/**', 'tools/*.mjs', 'tools/*.cjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(productionConstraints),
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // A service's test fixtures (not part of its build's entry points) may use libs/testing.
    files: ['services/*/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([
        { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io', 'type:lib-testing'] },
      ]),
    },
  },
  {
    // The client runs in browsers and React Native: no Node built-ins outside its Node entry (@takes/client/node).
    files: ['libs/client/src/**/*.ts', 'libs/ids/src/**/*.ts'],
    ignores: ['libs/client/src/file-storage.ts', 'libs/client/src/node.ts', 'libs/*/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^node:', message: 'Node-only: put it behind @takes/client/node' }], paths: ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'buffer', 'stream'] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Node-only: use Uint8Array' }, { name: 'process', message: 'Node-only' }, { name: 'require', message: 'use import' }],
    },
  },
  {
    // Tests and benchmarks may print and may reach into a service's own internals.
    files: ['**/*.spec.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
];
