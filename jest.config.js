// Three tiers by file name (STYLE.md): *.unit.spec.ts (pure), *.int.spec.ts (real
// PostgreSQL and NATS), *.e2e.spec.ts (services started as processes).
const { swcOptions, tsPaths } = require('./tools/swc-options.cjs');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(tsPaths())) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}

const common = {
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcOptions(), swcrc: false }],
    // cel-js ships ES modules only; Node loads them with require(esm), Jest needs them compiled.
    '^.+/node_modules/@marcbachmann/cel-js/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' }, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  moduleNameMapper,
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools', '<rootDir>/examples'],
};

module.exports = {
  maxWorkers: 2,
  // Jest takes the timeout from the root config only; int and e2e tests drive real servers.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'] },
  ],
};
