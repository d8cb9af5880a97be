/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/test/support/single-realm-environment.js',
  roots: ['<rootDir>/test'],
  // Type-checking is `npm run typecheck`'s job; ts-jest only transpiles (isolatedModules).
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testTimeout: 20000,
};
