/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // jose (the codec server's token check) ships ES modules only; Node loads them with require(), jest does not.
    '^.+/node_modules/jose/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  // One Temporal dev server for the whole run: started before the first test file, stopped after the last.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
  // Workflow tests on a 2-core machine: two workers keep the server and bundler from starving each other.
  maxWorkers: 2,
  // The Temporal native runtime keeps an unref'd handle that jest reports as open (sdk-typescript#928).
  forceExit: true,
};
