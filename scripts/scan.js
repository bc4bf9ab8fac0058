#!/usr/bin/env node
/**
 * n8n's official scanner (@n8n/scan-community-package, the gate of n8n's verification), run
 * offline on what this checkout would publish. CI runs it after the build and fails on a problem.
 *
 * The published scanner looks a package up on npm: it checks the version's provenance
 * statement, downloads the source the statement points at (a GitHub archive of the commit) and
 * the tarball, and lints both with its own rules. Here the network look-up is replaced, not
 * patched: this script calls the scanner's own exported `analyzePackage` with the scanner's own
 * file patterns, on the same two legs:
 * - the source: `git archive HEAD` (what GitHub's archive of the commit holds), linted with
 *   SOURCE_FILE_PATTERNS, the full rule set on the .ts sources;
 * - the tarball: `npm pack` of this checkout, unpacked, its compiled .js and package.json.
 * What cannot be checked offline is the provenance statement itself: npm writes it when
 * .github/workflows/publish.yml runs `npm publish --provenance` (id-token: write), and this
 * script checks that the workflow still does both.
 *
 * Usage: node scripts/scan.js [--source=<dir>] [--package=<dir>] (both given: scan those two
 * folders as they are, for tests). Exits 1 with the scanner's report when a leg fails.
 */
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SCANNER = '@n8n/scan-community-package/scanner/scanner.mjs';
/** The scanner's pattern for the tarball leg (scanner.mjs, analyzePackageByName). */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

const option = (name) => {
	const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
	return arg && path.resolve(arg.slice(name.length + 3));
};

/** This checkout's source at HEAD and its packed tarball, unpacked into a temporary folder. */
function prepare() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
	const source = path.join(work, 'source');
	const pkg = path.join(work, 'package');
	fs.mkdirSync(source);
	fs.mkdirSync(pkg);
	let head = 'the working tree';
	try {
		execSync(`git archive HEAD | tar -x -C "${source}"`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], shell: '/bin/bash' });
		head = `commit ${execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim()}`;
	} catch {
		// Not a git checkout (an unpacked source archive): its files are the source.
		fs.cpSync(path.join(ROOT, 'package.json'), path.join(source, 'package.json'));
		for (const dir of ['nodes', 'credentials']) fs.cpSync(path.join(ROOT, dir), path.join(source, dir), { recursive: true });
	}
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) throw new Error('dist/ is missing: run npm run build first');
	const [packed] = JSON.parse(execSync(`npm pack --json --ignore-scripts --pack-destination "${work}"`, { cwd: ROOT, encoding: 'utf8' }));
	execSync(`tar -xzf "${path.join(work, packed.filename)}" -C "${pkg}" --strip-components=1`);
	return { work, source, pkg, label: `${packed.name}@${packed.version} (${head})` };
}

/** publish.yml must still ask npm for the provenance statement the scanner requires. */
function provenanceProblems() {
	const file = path.join(ROOT, '.github', 'workflows', 'publish.yml');
	if (!fs.existsSync(file)) return ['.github/workflows/publish.yml is missing: the scanner requires an npm provenance statement'];
	const text = fs.readFileSync(file, 'utf8');
	const problems = [];
	if (!/npm publish[^\n]*--provenance/.test(text)) problems.push('publish.yml does not run npm publish --provenance');
	if (!/id-token:\s*write/.test(text)) problems.push('publish.yml lacks permissions id-token: write (npm cannot sign the provenance statement)');
	return problems;
}

async function main() {
	const given = { source: option('source'), pkg: option('package') };
	const prepared = given.source && given.pkg ? { ...given, label: `${given.pkg}` } : prepare();
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(SCANNER);
	const legs = [
		['source', prepared.source, SOURCE_FILE_PATTERNS],
		['tarball', prepared.pkg, TARBALL_FILE_PATTERNS],
	];
	let passed = true;
	console.log(`Scanning ${prepared.label} with @n8n/scan-community-package ${require('@n8n/scan-community-package/package.json').version}, offline`);
	for (const [name, dir, patterns] of legs) {
		const result = await analyzePackage(dir, patterns);
		console.log(`${result.passed ? '✅' : '❌'} ${name}: ${result.passed ? (result.message ?? 'passed') : result.message}`);
		if (result.details) console.log(result.details);
		passed &&= result.passed;
	}
	if (!given.source) {
		const problems = provenanceProblems();
		for (const p of problems) console.log(`❌ provenance: ${p}`);
		if (problems.length === 0)
			console.log('✅ provenance: publish.yml runs npm publish --provenance with id-token: write (the statement itself is written by npm at publish time)');
		passed &&= problems.length === 0;
	}
	if (prepared.work) fs.rmSync(prepared.work, { recursive: true, force: true });
	if (!passed) {
		console.log('The scanner reports problems (above): n8n verification would reject this package.');
		process.exit(1);
	}
	console.log('The scanner passes.');
	// The scanner's module keeps a temporary folder and ESLint's workers open; nothing else is pending.
	process.exit(0);
}

main().catch((error) => {
	console.error(`Scan failed: ${error.message}`);
	process.exit(1);
});
