/**
 * The tarball check (scripts/check-tarball.js) on made-up pack lists: it must fail on a stray
 * file and on a missing icon or codex, and pass on a complete list.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { check } = require('../../scripts/check-tarball.js');

const manifest = { n8n: { nodes: ['dist/nodes/A/A.node.js'], credentials: ['dist/credentials/K.credentials.js'] } };
const load = (file: string) =>
	file.endsWith('.node.js')
		? { icon: { light: 'file:a.svg', dark: 'file:a.dark.svg' } }
		: { icon: { light: 'file:icons/k.svg', dark: 'file:icons/k.dark.svg' } };
const complete = [
	'package.json',
	'README.md',
	'LICENSE',
	'CHANGELOG.md',
	'dist/nodes/A/A.node.js',
	'dist/nodes/A/A.node.json',
	'dist/nodes/A/a.svg',
	'dist/nodes/A/a.dark.svg',
	'dist/credentials/K.credentials.js',
	'dist/credentials/icons/k.svg',
	'dist/credentials/icons/k.dark.svg',
];
const pack = (files: string[], size = 1000) => ({ files: files.map((path) => ({ path })), size, unpackedSize: size * 2 });

test('a complete tarball passes', () => {
	expect(check(pack(complete), 10, { manifest, load }).problems).toEqual([]);
});

test('a stray file fails the check', () => {
	const { problems } = check(pack([...complete, 'test/support/mock-openai.js']), 10, { manifest, load });
	expect(problems.join('\n')).toMatch(/test\/support\/mock-openai\.js is in the tarball but outside dist/);
});

test("a node's missing dark icon, a missing codex and a missing credential fail the check", () => {
	const files = complete.filter((f) => f !== 'dist/nodes/A/a.dark.svg' && f !== 'dist/nodes/A/A.node.json' && f !== 'dist/credentials/K.credentials.js');
	const text = check(pack(files), 10, { manifest, load }).problems.join('\n');
	expect(text).toMatch(/dist\/nodes\/A\/a\.dark\.svg \(an icon of dist\/nodes\/A\/A\.node\.js\) is not in the tarball/);
	expect(text).toMatch(/A\.node\.json \(the node's codex\)/);
	expect(text).toMatch(/K\.credentials\.js is named in package.json's n8n section but not in the tarball/);
});

test('a tarball over the size budget fails the check', () => {
	expect(check(pack(complete, 20 * 1024), 10, { manifest, load }).problems.join('\n')).toMatch(/over the budget of 10 kB/);
});
