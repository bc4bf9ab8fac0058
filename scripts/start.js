#!/usr/bin/env node
/**
 * npm start: builds the package, then runs n8n 2.41.1 at http://localhost:5678 with it
 * loaded, storing its data (SQLite) in .n8n-local/. Open the editor, set up the owner
 * account, and find the nodes by searching "OpenAI Reliable". Stop with Ctrl+C.
 */
'use strict';

const { execSync } = require('node:child_process');
const path = require('node:path');

const { N8nInstance } = require('./lib/n8n');
const { ROOT, log } = require('./lib/toolchain');

async function main() {
	execSync('npm run build --silent', { stdio: 'inherit', cwd: ROOT });
	const n8n = N8nInstance.at(path.join(ROOT, '.n8n-local'));
	const port = Number(process.env.N8N_PORT || 5678);
	log(`starting n8n with this package; data in ${path.relative(ROOT, n8n.userFolder)}/`);
	const server = await n8n.startServer({ port, stdio: 'inherit' });
	log(`n8n is ready: open ${server.url} (Ctrl+C stops it)`);
	const stop = async () => {
		await server.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	server.child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
