#!/usr/bin/env node
/**
 * Keeps package-lock.json valid for `npm ci` when the registry this project installs from
 * lacks some platform builds of an optional native dependency (seen here: the
 * @unrs/resolver-binding-* packages of unrs-resolver, which n8n's lint CLI pulls in).
 * `npm install` then leaves them out of the lockfile and `npm ci` refuses it as out of sync.
 *
 * For every optional dependency of a locked package that has no entry of its own, this adds
 * one with the os/cpu/libc it is built for (read from the package name), so npm sees it as
 * locked and skips it on other platforms without fetching it. Run after `npm install`
 * changes the lockfile: node scripts/lockfile-platforms.js
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));

const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32', 'sunos', 'aix', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32'];

function platformOf(name) {
	const parts = name.split('/').pop().split('-');
	const os = parts.find((p) => OS.includes(p));
	const cpu = parts.find((p) => CPU.includes(p));
	if (!os || !cpu) return undefined;
	const entry = { os: [os], cpu: [cpu] };
	if (os === 'linux') entry.libc = parts.some((p) => p.startsWith('musl')) ? ['musl'] : ['glibc'];
	return entry;
}

let added = 0;
for (const [location, pkg] of Object.entries(lock.packages)) {
	for (const [name, version] of Object.entries(pkg.optionalDependencies || {})) {
		const base = location === '' ? 'node_modules' : `${location}/node_modules`;
		const candidates = [`${base}/${name}`, `node_modules/${name}`];
		if (candidates.some((c) => lock.packages[c])) continue;
		const platform = platformOf(name);
		if (!platform) continue;
		lock.packages[`node_modules/${name}`] = { version, dev: true, optional: true, ...platform };
		added++;
	}
}

const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`lockfile-platforms: ${added} platform-specific optional packages recorded\n`);
