// One place for the compiler settings that the build and Jest share, so the code
// under test is compiled exactly as the code that runs.
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');

function tsPaths() {
  const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
  return base.compilerOptions.paths;
}

function swcOptions() {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: tsPaths(),
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
  };
}

module.exports = { root, swcOptions, tsPaths };
