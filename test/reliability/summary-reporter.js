/**
 * Prints the reliability summary line after a run that included the reliability suite:
 *   faults: N cases, items: M, lost: 0, duplicated: 0, leaked: 0
 */
'use strict';

const crypto = require('node:crypto');

process.env.RELIABILITY_RUN_ID ??= crypto.randomBytes(6).toString('hex');
const ledger = require('./ledger');

class ReliabilitySummaryReporter {
	onRunStart() {
		ledger.clear();
	}

	onRunComplete() {
		const entries = ledger.read();
		ledger.clear();
		if (entries.length === 0) return;
		const faults = entries.filter((e) => e.kind === 'fault');
		const badInput = entries.filter((e) => e.kind === 'bad input');
		const sum = (key) => entries.reduce((total, e) => total + (e[key] || 0), 0);
		const lines = [
			'',
			`faults: ${faults.length + badInput.length} cases, items: ${sum('items')}, lost: ${sum('lost')}, duplicated: ${sum('duplicated')}, leaked: ${sum('leaked')}`,
			`(${faults.length} fault-injection runs and ${badInput.length} bad-input runs; bad input never reached the API)`,
		];
		for (const e of entries.filter((entry) => entry.note)) lines.push(`  ${e.name}: ${e.note}`);
		process.stdout.write(`${lines.join('\n')}\n`);
	}
}

module.exports = ReliabilitySummaryReporter;
