#!/usr/bin/env node
/**
 * Token counting speed, side by side in one run: this package's tokenizer (from dist/),
 * gpt-tokenizer and js-tiktoken, on normal text (the README 20 times) and on single-letter
 * runs (an unbroken word, a base64 blob or a pasted hash looks like this to a tokenizer).
 * Each measurement runs in its own process with a time limit; counts are checked equal.
 *
 *   node bench/tokenizer.js          (run `npm run build` first)
 *   node bench/tokenizer.js --table  (only the Markdown table)
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const LIMIT_MS = 60_000;

const tokenizers = {
	ours: `(async () => { const t = require(${JSON.stringify(path.join(ROOT, 'dist/nodes/shared/tokenizer'))}); const e = await t.getEncoding('o200k_base'); return (s) => e.count(s); })()`,
	'gpt-tokenizer': `Promise.resolve(require('gpt-tokenizer/cjs/encoding/o200k_base').countTokens)`,
	'js-tiktoken': `(async () => { const { Tiktoken } = require('js-tiktoken/lite'); const r = require('js-tiktoken/ranks/o200k_base'); const e = new Tiktoken(r.default ?? r); return (s) => e.encode(s).length; })()`,
};

const inputs = {
	'README x20': `require('fs').readFileSync(${JSON.stringify(path.join(ROOT, 'README.md'))}, 'utf8').repeat(20)`,
	'100 KB of "a"': `'a'.repeat(100_000)`,
	'1 MB of "a"': `'a'.repeat(1_000_000)`,
};

/** Loads a tokenizer, counts once to warm up (not on the long runs), then times one count. */
function measure(tokenizer, input) {
	const script = `
		(async () => {
			const count = await ${tokenizers[tokenizer]};
			const text = ${inputs[input]};
			if (text.length < 50_000) count(text);
			const started = process.hrtime.bigint();
			const tokens = count(text);
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			process.stdout.write(JSON.stringify({ tokens, ms, bytes: Buffer.byteLength(text) }));
		})();`;
	const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS });
	if (result.error || result.status !== 0) return { timedOut: true };
	return JSON.parse(result.stdout);
}

function main() {
	if (!fs.existsSync(path.join(ROOT, 'dist/nodes/shared/tokenizer/index.js'))) throw new Error('run npm run build first');
	const rows = [];
	for (const input of Object.keys(inputs)) {
		const counts = new Set();
		for (const tokenizer of Object.keys(tokenizers)) {
			const m = measure(tokenizer, input);
			if (m.timedOut) {
				rows.push([input, tokenizer, `> ${LIMIT_MS / 1000} s`, '', '']);
				continue;
			}
			counts.add(m.tokens);
			rows.push([input, tokenizer, `${(m.ms / 1000).toFixed(3)} s`, (m.bytes / 1e6 / (m.ms / 1000)).toFixed(2), m.tokens]);
		}
		if (counts.size > 1) throw new Error(`the tokenizers disagree on ${input}: ${[...counts].join(', ')}`);
	}
	const widths = [15, 14, 10, 6, 9];
	const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
	const table = [line(['input', 'tokenizer', 'time', 'MB/s', 'tokens']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
	process.stdout.write(`${process.argv.includes('--table') ? '' : 'Token counting, o200k_base, one process per measurement:\n'}${table}\n`);
}

main();
