/** The release script's two rules: the next version, and the changelog's Unreleased section moved under it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nextVersion, cutRelease } = require('../../scripts/release.js');

test('the next version', () => {
	expect(nextVersion('0.1.0', 'patch')).toBe('0.1.1');
	expect(nextVersion('0.1.3', 'minor')).toBe('0.2.0');
	expect(nextVersion('0.9.3', 'major')).toBe('1.0.0');
	expect(() => nextVersion('0.1.0', 'huge')).toThrow(/patch, minor or major/);
});

test('Unreleased moves under the new version, and a fresh Unreleased stays on top', () => {
	const before = '# Changelog\n\n## [Unreleased]\n\n### Added\n- a thing\n\n## [0.1.0] - 2026-12-02\n\nThe first release.\n';
	const { changelog, section } = cutRelease(before, '0.2.0', '2026-12-24');
	expect(section).toBe('## [0.2.0] - 2026-12-24\n\n### Added\n- a thing\n');
	expect(changelog).toBe(
		'# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n### Added\n- a thing\n\n## [0.1.0] - 2026-12-02\n\nThe first release.\n',
	);
});

test('an empty Unreleased section is refused', () => {
	expect(() => cutRelease('# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-02\n', '0.1.1', '2026-12-24')).toThrow(/empty/);
});
