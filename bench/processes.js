#!/usr/bin/env node
/**
 * k processes on one key, without n8n: the package's pacer (from dist/) and retry backoff,
 * one pacer per simulated process (as in separate n8n processes, which share nothing but the
 * server), against the project's mock server with short-window enforcement (RPM 600: at
 * most 10 requests in any one second), 300 ms ± 50 ms latency, 5 requests in flight per
 * process. It shows what the real-n8n bench cannot afford to run: four processes, and a
 * process that joins late. The simulated processes share one event loop, which real ones
 * do not. Prints a table, asserts nothing.
 *
 *   node bench/processes.js          (run `npm run build` first)
 *   node bench/processes.js --table  (only the Markdown table)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');
const { table, pct } = require('./lib');

const DIST = path.join(__dirname, '..', 'dist', 'nodes', 'shared');
if (!fs.existsSync(path.join(DIST, 'limits', 'rateLimiter.js'))) throw new Error('run npm run build first');
const { KeyRateLimiter } = require(path.join(DIST, 'limits', 'rateLimiter'));
const { parseRateLimitHeaders } = require(path.join(DIST, 'transport', 'headers'));
const { retryDelay } = require(path.join(DIST, 'transport', 'backoff'));

const KEY = fakeKey('proj', 'processes');
const RPM = 600;
const MAX_RETRIES = 10;
const TABLE_ONLY = process.argv.includes('--table');

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One simulated process: its own pacer, `count` items, 5 in flight, retries as the node does them. */
async function simulatedProcess(server, name, count, delayMs) {
	await wait(delayMs);
	const limiter = new KeyRateLimiter();
	let next = 0;
	let failed = 0;
	const lane = async () => {
		while (next < count) {
			const i = next++;
			for (let attempt = 0; ; attempt++) {
				const permit = await limiter.acquire('gpt-4o-mini', { tokens: 20 });
				const response = await fetch(`${server.url}/chat/completions`, {
					method: 'POST',
					headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
					body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${name}-${i}` }] }),
				});
				await response.text();
				const headers = Object.fromEntries(response.headers.entries());
				const snapshot = parseRateLimitHeaders(headers);
				const hint = headers['retry-after-ms'] ? Number(headers['retry-after-ms']) : undefined;
				limiter.release(permit, response.status === 429 ? { kind: 'rate_limited', snapshot, retryAfterMs: hint } : { kind: 'answered', snapshot });
				if (response.status === 200) break;
				if (attempt >= MAX_RETRIES) {
					failed++;
					break;
				}
				await wait(retryDelay(attempt, hint, 60_000, true).waitMs);
			}
		}
	};
	await Promise.all(Array.from({ length: 5 }, lane));
	return { failed, pace: limiter.view('gpt-4o-mini')?.pace ?? 1 };
}

const scenarios = [
	{ name: '2 processes, together', processes: [[300, 0], [300, 0]] },
	{ name: '2 processes, the second 3 s late', processes: [[300, 0], [300, 3000]] },
	{ name: '4 processes, together', processes: [[150, 0], [150, 0], [150, 0], [150, 0]] },
];

async function main() {
	const server = await startMockOpenAi({ apiKeys: [KEY], latencyMs: 300, jitterMs: 50, rateLimit: { rpm: RPM, shortWindow: true } });
	const rows = [];
	try {
		for (const scenario of scenarios) {
			server.configure({ latencyMs: 300, jitterMs: 50, rateLimit: { rpm: RPM, shortWindow: true } });
			const items = scenario.processes.reduce((sum, [count]) => sum + count, 0);
			const floorMs = (items / RPM) * 60_000;
			const started = Date.now();
			const results = await Promise.all(scenario.processes.map(([count, delayMs], k) => simulatedProcess(server, `p${k}`, count, delayMs)));
			const wallMs = Date.now() - started;
			const limited = server.counts.byStatus[429] ?? 0;
			const requests = server.requests.length;
			const row = [
				scenario.name,
				items,
				(floorMs / 1000).toFixed(1),
				(wallMs / 1000).toFixed(1),
				(wallMs / floorMs).toFixed(2),
				`${limited} (${pct(limited, requests)})`,
				results.reduce((sum, r) => sum + r.failed, 0),
			];
			rows.push(row);
			if (!TABLE_ONLY) process.stdout.write(`[processes] ${row.join(' | ')}\n`);
		}
	} finally {
		await server.close();
	}
	process.stdout.write(`${table(['scenario', 'items', 'floor s', 'wall s', 'x floor', '429s (share)', 'failed'], rows)}\n`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
