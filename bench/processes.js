#!/usr/bin/env node
/**
 * k processes on one key, without n8n: the package's pacer and retry backoff (from dist/),
 * one pacer per simulated process, as separate n8n processes have, on the pacing simulator's
 * virtual clock (test/support/pacing-sim.js) against the mock's rate-limit model
 * (test/support/rate-limit-model.js: RPM 600, enforced over one-second windows, refused
 * requests counted), 300 ms ± 50 ms latency, Concurrency 10 per execution. In every header
 * dialect: `bucket` (OpenAI's documented meaning), `scaled` (a short window scaled up to the
 * minute) and `none` (no rate-limit headers). A minute of four processes takes well under a
 * second, so each row is the spread over several seeds. Prints a table, asserts nothing.
 *
 * A second table puts a road between the pacers and the server (`clientDelayMs`: each request
 * arrives 0 to that many ms after it left, each answer is read as long after it was sent: the
 * network and a busy event loop), stalls each process's event loop now and then (`stalls`), and
 * reads the headers as the request was let in instead of as the answer leaves (`headersAt`),
 * which OpenAI leaves open (test/support/rate-limit-model.js).
 *
 * A third table says where four processes lose their time (bench/lib.js, whereTimeGoes): the
 * seconds beyond what their answers need at the pacer's target, in the first 5 s, until the
 * first process is done, and after it; for processes started together, and as `n8n execute`
 * starts them (a few hundred ms apart, the first one alone at its full pace until the others come).
 *
 * A fourth table takes the limit up (RPM 3,000 and 10,000), where a process sends tens of
 * requests a second, each of them in the bucket for a few milliseconds, and its answers come at
 * random moments of its own sending: two and four processes, each with enough lanes for its
 * share (Concurrency limit/160), a minute of items in all.
 *
 * A fifth table needs no pacer: what a one-second window lets through at all. N senders, each
 * sending evenly spaced at an equal share of the limit (a fixed random phase each, 60 s), into
 * the same rate-limit model: the share of their requests that find the window full. A sender
 * at r requests a second puts up to ⌈r⌉ requests in some one-second window, so senders that
 * never see each other fit only while their ⌈r⌉ add up to limit/60 at most.
 *
 *   node bench/processes.js                    (run `npm run build` first)
 *   node bench/processes.js --table --seeds=3  (only the Markdown table)
 *   node bench/processes.js --table --seeds=96 (min–max and the mean over 96 seeds)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const { simulate, seeded } = require('../test/support/pacing-sim');
const { RateLimitModel } = require('../test/support/rate-limit-model');
const { table, whereTimeGoes, phasesCell } = require('./lib');

const DIST = path.join(__dirname, '..', 'dist', 'nodes', 'shared');
if (!fs.existsSync(path.join(DIST, 'limits', 'rateLimiter.js'))) throw new Error('run npm run build first');
const modules = {
	KeyRateLimiter: require(path.join(DIST, 'limits', 'rateLimiter')).KeyRateLimiter,
	parseRateLimitHeaders: require(path.join(DIST, 'http', 'headers')).parseRateLimitHeaders,
	retryDelay: require(path.join(DIST, 'http', 'backoff')).retryDelay,
};
const { TARGET_UTILISATION } = require(path.join(DIST, 'limits', 'pace'));

const args = process.argv.slice(2);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const TABLE_ONLY = args.includes('--table');
const SEEDS = Number(option('seeds', 3));
const DIALECTS = option('dialects', 'bucket,scaled,none').split(',');
/** The limit every table but the higher-limit one runs at, requests a minute. */
const RPM = 600;

const one = (items, startAtMs = 0) => ({ executions: [{ items, startAtMs }] });
const SCENARIOS = [
	{ name: '1 execution alone', processes: [one(500)] },
	{ name: '2 executions, 1 process', processes: [{ executions: [{ items: 300 }, { items: 300 }] }] },
	{ name: '2 processes', processes: [one(300), one(300)] },
	{ name: '2 processes, the second 3 s late', processes: [one(300), one(300, 3_000)] },
	{ name: '4 processes', processes: [one(150), one(150), one(150), one(150)] },
	// As n8n started them in a real run: `n8n execute` processes launched together sent their first
	// requests 0, 192, 234 and 299 ms apart (bench/run.js --trace, 2026-12-06; the other two runs:
	// 0–102–159–272 and 0–404–518–561 ms). The first one meets the limit alone, at its full pace.
	{ name: '4 processes, started as in n8n', processes: [0, 192, 234, 299].map((at) => one(150, at)) },
	{ name: 'queue: 2 workers × 4 executions', processes: [0, 1].map(() => ({ executions: [0, 1, 2, 3].map(() => ({ items: 100 })) })) },
	// As n8n started them in a real queue-mode run (bench/run.js, 2026-12-03): each worker took two executions of 200, the second about 2.2 s after the first.
	{
		name: 'queue: 2 workers × 2 executions, started 0–2.7 s apart',
		processes: [
			{ executions: [{ items: 200 }, { items: 200, startAtMs: 2_200 }] },
			{
				executions: [
					{ items: 200, startAtMs: 160 },
					{ items: 200, startAtMs: 2_660 },
				],
			},
		],
	},
	{ name: '1 execution, 30% random 429s', processes: [one(500)], random429Rate: 0.3 },
	// A short second sender: when it leaves, the first is alone again and should be back at the full pace.
	{ name: '1 execution, a second process of 40 items 15 s in', processes: [one(500), one(40, 15_000)] },
];

/** The roads of the second table, and the scenarios run on them. */
const ROADS = [
	{ name: 'no delay', clientDelayMs: 0 },
	{ name: '0–25 ms each way', clientDelayMs: 25 },
	{ name: '0–50 ms each way', clientDelayMs: 50 },
	{ name: '0–100 ms each way', clientDelayMs: 100 },
	{ name: '0–25 ms, headers as at admission', clientDelayMs: 25, headersAt: 'admission' },
	{ name: '0–25 ms, event loop stalls up to 200 ms about every 2 s', clientDelayMs: 25, stalls: { everyMs: 2_000, maxMs: 200 } },
];
const ROAD_SCENARIOS = [
	'1 execution alone',
	'2 executions, 1 process',
	'2 processes',
	'4 processes',
	'4 processes, started as in n8n',
	'queue: 2 workers × 4 executions',
	'1 execution, a second process of 40 items 15 s in',
];

/** The phases table (whereTimeGoes): four processes as the simulator starts them and as n8n does, on these roads. */
const PHASE_SCENARIOS = ['4 processes', '4 processes, started as in n8n'];
const PHASE_ROADS = ['no delay', '0–25 ms, event loop stalls up to 200 ms about every 2 s'];

/** The fourth table: limits, numbers of processes, roads. */
const HIGHER = { rpms: [3_000, 10_000], processes: [2, 4], roads: ['no delay', '0–25 ms, event loop stalls up to 200 ms about every 2 s'] };

/** min–max over the seeds, and the mean beside it from four seeds on (one seed is one draw of a chaotic system). */
const range = (values, format) => {
	if (values.length === 1) return format(values[0]);
	const spread = `${format(Math.min(...values))}–${format(Math.max(...values))}`;
	return values.length > 3 ? `${spread} (mean ${format(values.reduce((sum, v) => sum + v, 0) / values.length)})` : spread;
};

/** Runs a scenario over the seeds (RPM unless `limits` says, refused requests counted): the runs, its x floor and 429 share as ranges, and the items failed in all. */
async function overSeeds(scenario, limits, extra = {}) {
	const runs = [];
	for (let seed = 1; seed <= SEEDS; seed++)
		runs.push(await simulate(modules, { ...scenario, ...extra, limits: { rpm: RPM, countRefused: true, ...limits }, seed }));
	return {
		runs,
		first: runs[0],
		ratio: range(
			runs.map((r) => r.ratio),
			(v) => v.toFixed(2),
		),
		share: range(
			runs.map((r) => r.share429),
			(v) => `${(v * 100).toFixed(1)}%`,
		),
		failed: runs.reduce((sum, r) => sum + r.failed, 0),
	};
}

/** The cell "1.05–1.07×, 0.0–1.2%" of a scenario over the seeds. */
async function cell(scenario, limits, extra) {
	const { ratio, share, failed } = await overSeeds(scenario, limits, extra);
	return `${ratio}×, ${share}${failed ? `, ${failed} failed` : ''}`;
}

async function roads() {
	const rows = [];
	for (const road of ROADS) {
		for (const name of ROAD_SCENARIOS) {
			const scenario = SCENARIOS.find((s) => s.name === name);
			const row = [road.name, name];
			for (const dialect of DIALECTS)
				row.push(await cell(scenario, { dialect, headersAt: road.headersAt }, { clientDelayMs: road.clientDelayMs, stalls: road.stalls }));
			rows.push(row);
			if (!TABLE_ONLY) process.stdout.write(`[processes] ${row.join(' | ')}\n`);
		}
	}
	process.stdout.write(`\n${table(['road to the server', 'scenario', ...DIALECTS.map((d) => `${d}: x floor, 429s`)], rows)}\n`);
}

/** The fourth table: higher limits, a minute of items split between the processes. */
async function higher() {
	const rows = [];
	for (const rpm of HIGHER.rpms) {
		for (const count of HIGHER.processes) {
			const lanes = Math.round(rpm / 160);
			const scenario = { processes: Array.from({ length: count }, () => ({ executions: [{ items: rpm / count, concurrency: lanes }] })) };
			for (const roadName of HIGHER.roads) {
				const road = ROADS.find((r) => r.name === roadName);
				const row = [`RPM ${rpm.toLocaleString('en')}`, `${count} processes, Concurrency ${lanes}`, road.name];
				for (const dialect of DIALECTS) row.push(await cell(scenario, { rpm, dialect }, { clientDelayMs: road.clientDelayMs, stalls: road.stalls }));
				rows.push(row);
				if (!TABLE_ONLY) process.stdout.write(`[processes] ${row.join(' | ')}\n`);
			}
		}
	}
	process.stdout.write(`\n${table(['limit', 'scenario', 'road to the server', ...DIALECTS.map((d) => `${d}: x floor, 429s`)], rows)}\n`);
}

async function main() {
	const rows = [];
	for (const scenario of SCENARIOS) {
		for (const dialect of DIALECTS) {
			const { first, ratio, share, failed } = await overSeeds(scenario, { dialect });
			const row = [scenario.name, dialect, first.items, (first.floorMs / 1000).toFixed(1), ratio, share, failed];
			rows.push(row);
			if (!TABLE_ONLY) process.stdout.write(`[processes] ${row.join(' | ')}\n`);
		}
	}
	process.stdout.write(`${table(['scenario', 'headers', 'items', 'floor s', `x floor (${SEEDS} seeds)`, '429s', 'failed'], rows)}\n`);
	await roads();
	await phases();
	await higher();
	windows();
}

/** Where four processes lose their time (whereTimeGoes), on two roads, each start. */
async function phases() {
	const rows = [];
	for (const roadName of PHASE_ROADS) {
		const road = ROADS.find((r) => r.name === roadName);
		for (const name of PHASE_SCENARIOS) {
			const row = [road.name, name];
			for (const dialect of DIALECTS) {
				const run = await overSeeds(
					SCENARIOS.find((s) => s.name === name),
					{ dialect },
					{ clientDelayMs: road.clientDelayMs, stalls: road.stalls },
				);
				// Where each run lost its time, from when its first sender started (at RPM: overSeeds' default).
				const lost = run.runs.map((r) => {
					const origin = r.lastAt - r.wallMs;
					return whereTimeGoes(
						r.trace.map((q) => ({ ...q, at: q.at - origin, done: q.done - origin })),
						RPM * TARGET_UTILISATION,
					);
				});
				row.push(`${run.ratio}×; ${phasesCell(lost)}`);
			}
			rows.push(row);
			if (!TABLE_ONLY) process.stdout.write(`[processes] ${row.join(' | ')}\n`);
		}
	}
	process.stdout.write(
		`\n${table(['road to the server', 'scenario', ...DIALECTS.map((d) => `${d}: x floor; seconds lost start / middle / end (429s)`)], rows)}\n`,
	);
}

/** Senders at equal shares, evenly spaced, no pacer and no retries: the share of requests the window refuses. */
function windows() {
	const refusedShare = (senders, share, jitterMs) => {
		let refused = 0;
		let sent = 0;
		for (let seed = 1; seed <= 50 * SEEDS; seed++) {
			const random = seeded(seed);
			const rate = (share * RPM) / 60 / senders;
			const interval = 1000 / rate;
			const arrivals = [];
			for (let i = 0; i < senders; i++) {
				const phase = random() * interval;
				for (let k = 0; k * interval < 60_000; k++) arrivals.push(phase + k * interval + (random() * 2 - 1) * jitterMs);
			}
			arrivals.sort((a, b) => a - b);
			const server = new RateLimitModel({ rpm: RPM, countRefused: true, dialect: 'none' });
			for (const at of arrivals) if (server.take(1, Math.max(0, at))) refused++;
			sent += arrivals.length;
		}
		return `${((refused / sent) * 100).toFixed(1)}%`;
	};
	const rows = [];
	for (const senders of [1, 2, 3, 4])
		for (const share of [0.8, 0.88, 0.96]) {
			const rate = (share * RPM) / 60 / senders;
			rows.push([
				senders,
				`${Math.round(share * 100)}% (${(1 / share).toFixed(2)}× the floor)`,
				rate.toFixed(2),
				Math.ceil(rate - 1e-9) * senders,
				refusedShare(senders, share, 0),
				refusedShare(senders, share, 20),
			]);
		}
	process.stdout.write(
		`\n${table(['senders', 'together, of the limit', 'each, a second', 'most in one window', 'refused, evenly spaced', 'refused, ±20 ms'], rows)}\n`,
	);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
