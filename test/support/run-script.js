/**
 * For tests of the CI gates: runs one of the repository's scripts (scripts/*.js) in a child
 * Node process, returning its exit status and everything it printed, and writes the small
 * folders and files those scripts are pointed at.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

function runScript(script, args = []) {
	const run = spawnSync(process.execPath, [path.join('scripts', script), ...args], { cwd: ROOT, encoding: 'utf8' });
	return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** This repository's package.json, parsed. */
const manifest = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** A temporary folder holding `files` ({ relative path: text }); returns its path. */
function tempFolder(files) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-fixture-'));
	for (const [file, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
		fs.writeFileSync(path.join(dir, file), text);
	}
	return dir;
}

module.exports = { runScript, manifest, tempFolder };
