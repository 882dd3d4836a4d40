// Lint: TypeScript rules plus Nx module boundaries, so the architecture is enforced:
// pure libs import only pure libs, services never import each other, and nothing
// reaches into another lib's internal files (only its src/index.ts).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.nx/**', 'tools/*.mjs', 'tools/*.cjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:lib-pure', onlyDependOnLibsWithTags: ['type:lib-pure'] },
            { sourceTag: 'type:lib-io', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib-pure', 'type:lib-io'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Tests and benchmarks may print and may reach into a service's own internals.
    files: ['**/*.spec.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
];
