/** @type {import('jest').Config} */
const shared = {
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
	moduleFileExtensions: ['ts', 'js', 'json'],
	testEnvironment: 'node',
};

module.exports = {
	testTimeout: 30_000,
	reporters: ['default', '<rootDir>/test/reliability/summary-reporter.js'],
	projects: [
		{
			...shared,
			displayName: 'unit',
			testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/integration/**/*.test.ts'],
		},
		{
			...shared,
			displayName: 'reliability',
			testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
		},
	],
};
