/**
 * A throwaway Redis on loopback for n8n's queue mode: Debian's redis-server, installed with
 * apt-get when missing and running as root (as CI does), started without persistence.
 */
'use strict';

const { execFileSync, spawn } = require('node:child_process');
const net = require('node:net');

const { log } = require('./toolchain');

function hasRedis() {
	try {
		execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** Installs Debian's redis-server when it is missing and we may; returns whether it is there. */
function ensureRedis() {
	if (hasRedis()) return true;
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	let aptGet = false;
	try {
		execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
		aptGet = true;
	} catch {
		// not Debian
	}
	if (!root || !aptGet) return false;
	log("redis-server is missing: installing Debian's redis-server package");
	try {
		execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
		execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
	} catch {
		return false;
	}
	return hasRedis();
}

async function waitForPort(port, timeoutMs = 15_000) {
	const started = Date.now();
	for (;;) {
		const open = await new Promise((resolve) => {
			const socket = net.connect(port, '127.0.0.1', () => {
				socket.end();
				resolve(true);
			});
			socket.on('error', () => resolve(false));
		});
		if (open) return;
		if (Date.now() - started > timeoutMs) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Starts redis-server on 127.0.0.1:port, in memory only. */
async function startRedis(port) {
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	await waitForPort(port).catch((error) => {
		child.kill('SIGKILL');
		throw new Error(`${error.message}\n${output}`);
	});
	return {
		port,
		stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
	};
}

module.exports = { ensureRedis, startRedis, waitForPort };
