module.exports = {
  require: ['tsx/cjs', './test/helpers/hooks.ts'],
  spec: ['test/unit/**/*.test.ts', 'test/nodes/**/*.test.ts', 'test/e2e/**/*.test.ts'],
  extension: ['ts'],
  timeout: 30000,
  reporter: './test/reporter.cjs',
  exit: true,
};
