#!/usr/bin/env node
/**
 * Cuts a release: `npm run release -- <patch|minor|major> [--dry-run]`.
 * - the next version from package.json's;
 * - CHANGELOG.md's Unreleased section moved under that version with today's date (an empty
 *   Unreleased section is an error: a release says what changed);
 * - package.json and package-lock.json bumped, a commit and a tag vX.Y.Z.
 * Publishing is not done here: pushing the tag starts .github/workflows/publish.yml, which
 * publishes from GitHub Actions with npm provenance. --dry-run prints the version and the
 * section and changes nothing.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function nextVersion(version, bump) {
	const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
	if (!match) throw new Error(`package.json's version "${version}" is not x.y.z`);
	const [major, minor, patch] = match.slice(1).map(Number);
	if (bump === 'major') return `${major + 1}.0.0`;
	if (bump === 'minor') return `${major}.${minor + 1}.0`;
	if (bump === 'patch') return `${major}.${minor}.${patch + 1}`;
	throw new Error(`the bump must be patch, minor or major, not "${bump}"`);
}

/** The changelog with Unreleased moved under `version`, and that section's text. */
function cutRelease(changelog, version, date) {
	const heading = '## [Unreleased]';
	const start = changelog.indexOf(heading);
	if (start < 0) throw new Error('CHANGELOG.md has no "## [Unreleased]" section');
	const bodyStart = start + heading.length;
	const next = changelog.indexOf('\n## [', bodyStart);
	const body = changelog.slice(bodyStart, next < 0 ? undefined : next).trim();
	if (body === '') throw new Error('the Unreleased section of CHANGELOG.md is empty: say what changed first');
	const section = `## [${version}] - ${date}\n\n${body}\n`;
	const rest = next < 0 ? '' : changelog.slice(next + 1);
	return { changelog: `${changelog.slice(0, start)}${heading}\n\n${section}\n${rest}`, section };
}

function main() {
	const args = process.argv.slice(2);
	const dryRun = args.includes('--dry-run');
	const bump = args.find((a) => !a.startsWith('--')) ?? 'patch';
	const pkgPath = path.join(ROOT, 'package.json');
	const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
	const version = nextVersion(pkg.version, bump);
	const date = new Date().toISOString().slice(0, 10);
	const changelogPath = path.join(ROOT, 'CHANGELOG.md');
	const cut = cutRelease(fs.readFileSync(changelogPath, 'utf8'), version, date);
	process.stdout.write(`${pkg.name} ${pkg.version} -> ${version}${dryRun ? ' (dry run: nothing changed, nothing published)' : ''}\n\n${cut.section}`);
	if (dryRun) return;
	fs.writeFileSync(changelogPath, cut.changelog);
	pkg.version = version;
	fs.writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
	const lockPath = path.join(ROOT, 'package-lock.json');
	const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
	lock.version = version;
	if (lock.packages && lock.packages['']) lock.packages[''].version = version;
	fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
	execFileSync('git', ['add', 'CHANGELOG.md', 'package.json', 'package-lock.json'], { cwd: ROOT, stdio: 'inherit' });
	execFileSync('git', ['commit', '-m', `Release ${version}`], { cwd: ROOT, stdio: 'inherit' });
	execFileSync('git', ['tag', `v${version}`], { cwd: ROOT, stdio: 'inherit' });
	process.stdout.write(`\nTagged v${version}. Push it (git push && git push origin v${version}) to publish from GitHub Actions.\n`);
}

if (require.main === module) {
	try {
		main();
	} catch (error) {
		process.stderr.write(`release: ${error.message}\n`);
		process.exit(1);
	}
}

module.exports = { nextVersion, cutRelease };
