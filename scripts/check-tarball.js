#!/usr/bin/env node
/**
 * What `npm publish` would ship, checked before it does (CI runs this after the build):
 * - only dist/, README.md, LICENSE, CHANGELOG.md and package.json;
 * - every node and credential that package.json's n8n section names, each node's codex
 *   (<Node>.node.json) and every icon a node or credential points to (light and dark);
 * - a size budget, a little above today's size.
 * Usage: node scripts/check-tarball.js [--budget-kb=N]. Exits 1 with the reasons when a rule fails.
 */
const { execSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ALLOWED = [/^dist\//, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^package\.json$/];
/** Packed size budget in kB: today's tarball is about 1,804 kB, most of it the tokenizer's tables. */
const DEFAULT_BUDGET_KB = 1900;

function packList() {
	const out = execSync('npm pack --dry-run --json --ignore-scripts', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const [pack] = JSON.parse(out);
	return pack;
}

/** Icons a node or credential class points to ("file:x.svg" or { light, dark }), as tarball paths. */
function iconsOf(description, fileInDist) {
	const icon = description && description.icon;
	const list = typeof icon === 'string' ? [icon] : icon && typeof icon === 'object' ? [icon.light, icon.dark] : [];
	return list
		.filter((i) => typeof i === 'string' && i.startsWith('file:'))
		.map((i) => path.posix.join(path.posix.dirname(fileInDist), i.slice('file:'.length)));
}

function descriptionOf(file) {
	const exports = require(path.join(ROOT, file));
	const Class = Object.values(exports).find((value) => typeof value === 'function');
	if (!Class) return undefined;
	const instance = new Class();
	// A credential carries its icon itself; a node in its description (a versioned node in its base description).
	if (instance.description === undefined && instance.baseDescription === undefined) return instance;
	return instance.description ?? instance.baseDescription;
}

function check(pack, budgetKb, { manifest = require(path.join(ROOT, 'package.json')), load = descriptionOf } = {}) {
	const files = new Set(pack.files.map((f) => f.path));
	const problems = [];
	for (const file of files)
		if (!ALLOWED.some((rule) => rule.test(file)))
			problems.push(`${file} is in the tarball but outside dist/, README.md, LICENSE, CHANGELOG.md and package.json`);
	const named = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
	if (named.length === 0) problems.push("package.json's n8n section names no node or credential");
	for (const file of named) {
		if (!files.has(file)) {
			problems.push(`${file} is named in package.json's n8n section but not in the tarball (run npm run build first)`);
			continue;
		}
		if (file.endsWith('.node.js')) {
			const codex = file.replace(/\.js$/, '.json');
			if (!files.has(codex)) problems.push(`${codex} (the node's codex) is not in the tarball`);
		}
		let description;
		try {
			description = load(file);
		} catch (error) {
			problems.push(`${file} could not be loaded: ${error.message}`);
			continue;
		}
		const icons = iconsOf(description, file);
		if (icons.length === 0) problems.push(`${file} points to no icon file`);
		for (const icon of icons) if (!files.has(icon)) problems.push(`${icon} (an icon of ${file}) is not in the tarball`);
	}
	const sizeKb = pack.size / 1024;
	if (sizeKb > budgetKb) problems.push(`the tarball is ${sizeKb.toFixed(1)} kB, over the budget of ${budgetKb} kB`);
	return { problems, sizeKb, unpackedKb: pack.unpackedSize / 1024, count: files.size };
}

if (require.main === module) {
	const budgetArg = process.argv.find((a) => a.startsWith('--budget-kb='));
	const budgetKb = budgetArg ? Number(budgetArg.split('=')[1]) : DEFAULT_BUDGET_KB;
	const pack = packList();
	const result = check(pack, budgetKb);
	process.stdout.write(
		`tarball ${pack.filename}: ${result.count} files, ${result.sizeKb.toFixed(1)} kB packed, ${result.unpackedKb.toFixed(1)} kB unpacked (budget ${budgetKb} kB)\n`,
	);
	if (result.problems.length) {
		for (const problem of result.problems) process.stderr.write(`  - ${problem}\n`);
		process.exit(1);
	}
	process.stdout.write('tarball check passed\n');
}

module.exports = { check, iconsOf, ALLOWED, DEFAULT_BUDGET_KB };
