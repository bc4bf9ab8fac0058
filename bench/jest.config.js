/** Jest configuration for the in-process part of the benchmark (bench/*.bench.ts). */
module.exports = {
	rootDir: '..',
	testMatch: ['<rootDir>/bench/**/*.bench.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
	testEnvironment: 'node',
};
