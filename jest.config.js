/**
 * Tests are TypeScript compiled per file (isolatedModules: transpile only) so a run stays fast;
 * `npm run build` (run before `npm test`) type-checks everything.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }] },
  testTimeout: 60000,
};
