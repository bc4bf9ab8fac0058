/**
 * Bench only: loaded into each n8n process with `--require` (bench/run.js --pacer-trace=<dir>),
 * never part of the package. When n8n loads this package's pacer (dist/nodes/shared/limits/pace.js),
 * it wraps PaceController.onAnswer and appends one line per answer to <dir>/live/<pid>.tsv: what
 * the answer said and what the pacer then holds (pace, the rate it sends at, how it reads the
 * bucket). The bench's request trace shows what each process sent; this shows why. It reads the
 * pacer's private state and calls its read-only helpers, so it follows pace.ts as it is built.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const DIR = process.env.PACER_TRACE_DIR;
const PACE = `${path.sep}n8n-nodes-openai-reliable${path.sep}dist${path.sep}nodes${path.sep}shared${path.sep}limits${path.sep}pace.js`;

/** The columns, in order. */
const COLUMNS = [
	'pid',
	'now',
	'startedAt',
	'status',
	'remaining',
	'limit',
	'paceBefore',
	'pace',
	'perSecond',
	'pauseMs',
	'reading',
	'load',
	'own',
	'drained',
	'idle',
	'half',
	'many',
	'holdsWhole',
	'sawFull',
	'ceiling',
	'admitted',
];

function wrap(exports) {
	const proto = exports.PaceController && exports.PaceController.prototype;
	if (!proto || proto.__traced) return;
	proto.__traced = true;
	const file = path.join(DIR, 'live', `${process.pid}.tsv`);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const onAnswer = proto.onAnswer;
	proto.onAnswer = function (now, startedAt, tokens, outcome) {
		const paceBefore = this.pace;
		const pauseMs = onAnswer.call(this, now, startedAt, tokens, outcome);
		try {
			const interval = this.intervalMs(now);
			const bucket = this.reading() === 'bucket';
			const own = bucket ? this.ownShare(now) : undefined;
			// As byBucket reads it: the falling bucket's demand, else (not drained, or no slope yet) the share below full.
			const load = bucket ? ((this.drained() ? this.bucketDemand(now) : undefined) ?? this.bucketLoad(now, this.answersAtRandom(own), own)) : undefined;
			const f = (v, digits = 3) => (v === undefined || v === null || Number.isNaN(v) ? '' : Number(v).toFixed(digits));
			const row = [
				process.pid,
				now,
				startedAt,
				outcome.kind === 'rate_limited' ? 429 : 200,
				outcome.snapshot.remainingRequests ?? '',
				outcome.snapshot.limitRequests ?? '',
				f(paceBefore),
				f(this.pace),
				f(interval ? 1000 / interval : undefined, 2),
				pauseMs || 0,
				this.reading(),
				f(load),
				f(own),
				bucket ? Number(this.drained()) : '',
				bucket ? Number(this.bucketIdle()) : '',
				Number(this.lately(this.lastOthersAt)),
				Number(this.lately(this.lastManyAt)),
				Number(this.holdsWhole()),
				Number(this.requests.sawFull),
				f(this.ceiling),
				Number(this.requests.admitted()),
			];
			fs.appendFileSync(file, `${row.join('\t')}\n`);
		} catch (error) {
			fs.appendFileSync(file, `# trace error: ${error && error.message}\n`);
		}
		return pauseMs;
	};
}

if (DIR) {
	const load = Module._load;
	Module._load = function (request, parent, isMain) {
		const exports = load.call(this, request, parent, isMain);
		if (typeof request !== 'string' || !/pace(\.js)?$/.test(request)) return exports;
		try {
			const resolved = Module._resolveFilename(request, parent, isMain);
			if (resolved.endsWith(PACE)) wrap(exports);
		} catch {
			// not a file this cares about
		}
		return exports;
	};
}

module.exports = { COLUMNS };
