/**
 * Collects the reliability suite's figures across jest workers (one JSON line per case,
 * appended to a file), for the summary reporter to add up.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const LEDGER = path.join(os.tmpdir(), `openai-reliable-reliability-${process.env.RELIABILITY_RUN_ID || 'default'}.jsonl`);

/** @param {{ name: string, kind: 'fault' | 'bad input', items: number, lost: number, duplicated: number, leaked: number, note?: string }} entry */
function record(entry) {
	fs.appendFileSync(LEDGER, `${JSON.stringify(entry)}\n`);
}

function read() {
	if (!fs.existsSync(LEDGER)) return [];
	return fs
		.readFileSync(LEDGER, 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line));
}

function clear() {
	fs.rmSync(LEDGER, { force: true });
}

module.exports = { LEDGER, record, read, clear };
