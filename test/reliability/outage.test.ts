/**
 * Outages: the server fails every request from the first one on, for a while, in each way a
 * client meets an outage (503s, a gateway's 502 page, connections reset, nothing listening).
 * 50 items through the Chat node with the default Request Settings (Keep Retrying For 5
 * minutes, no Max Retries): every item is answered once the server is back, none twice, and
 * while it is down the key's pause lets only one check through every few seconds. Outages of
 * 4 s in each way, and, in real time, 30 s of 503s and 2 minutes of connections reset (issue
 * 28); real n8n rides out 30 s and 2 minutes in every way in `npm run e2e` (scenario 22).
 */
import { sleep } from 'n8n-workflow';

import { DEFAULT_RETRY, freshProcessState, startServer, type MockServer } from '../support/setup';
import { checkRun, ITEMS, recordNote, runChat } from './helpers';

let server: MockServer;
beforeAll(async () => {
	server = await startServer({ latencyMs: 20 });
});
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	freshProcessState();
});

/** The defaults, but a short Max Wait so the test does not sit out long backoffs before the outage. */
const DEFAULTS = { ...DEFAULT_RETRY, timeoutSeconds: 2 };

function run(continueOnFail: boolean, settings: Record<string, unknown> = {}, signal?: AbortSignal) {
	return runChat(server, { continueOnFail, settings: { ...DEFAULTS, ...settings }, signal });
}

describe.each(['503', '502', 'reset', 'refused'] as const)('an outage of 4 s (%s) from the first request', (mode) => {
	test.each([true, false])('continue on fail %s: every item answered, none twice, a few checks while down', async (continueOnFail) => {
		server.outage({ mode, ms: 4_000 });
		const started = Date.now();
		const result = await run(continueOnFail);
		const tookMs = Date.now() - started;
		checkRun(`outage 4 s, ${mode} (continue on fail ${continueOnFail ? 'on' : 'off'})`, result, server, continueOnFail, {
			failing: new Set(),
			errorPattern: /never/,
		});
		// The first request alone (limits unknown), three failures in a row, then one check at a
		// time (1 s, 1.5 s, 2.25 s apart, at most 2.5 s): a handful, not one storm per item.
		const during = server.downtime?.requests ?? 0;
		expect(during).toBeLessThanOrEqual(8);
		// Done within the outage plus the last check's interval and the run itself.
		expect(tookMs).toBeLessThan(4_000 + 2_500 + 3_000);
		const hint = result.test.hints.map((h) => h.message).join(' ');
		expect(hint).toMatch(
			/^The API was unavailable for [\d.]+ s; every request on this key waited, and one check at a time looked whether it was back\. Every item was answered/,
		);
		recordNote(
			`outage 4 s, ${mode} (continue on fail ${continueOnFail ? 'on' : 'off'})`,
			`all ${ITEMS} answered in ${(tookMs / 1000).toFixed(1)} s, ${mode === 'refused' ? 'connections refused' : `${during} requests reached the server`} while it was down`,
		);
	});
});

/** The most a check waits once the server is down (outage.ts), and some room for the run itself. */
const CHECK_INTERVAL_MS = 2_500;
const RUN_MS = 3_000;

test.each([
	['30 s of 503s', '503', 30_000],
	['2 minutes of connections reset', 'reset', 120_000],
] as const)(
	'%s: every item answered, none twice, one check every few seconds',
	async (_label, mode, ms) => {
		server.outage({ mode, ms });
		const started = Date.now();
		const result = await run(true, { timeoutSeconds: 5 });
		const tookMs = Date.now() - started;
		const name = `outage ${ms / 1000} s, ${mode}`;
		checkRun(name, result, server, true, { failing: new Set(), errorPattern: /never/ });
		const during = server.downtime?.requests ?? 0;
		// The failures that began the pause, then one check at a time, at most 2.5 s apart.
		expect(during).toBeLessThanOrEqual(6 + ms / 2_000);
		expect(tookMs).toBeGreaterThanOrEqual(ms);
		expect(tookMs).toBeLessThan(ms + CHECK_INTERVAL_MS + RUN_MS);
		expect(result.test.hints.map((h) => h.message).join(' ')).toMatch(/^The API was unavailable for (\d+ min( \d+ s)?|[\d.]+ s); .*Every item was answered/);
		recordNote(name, `all ${ITEMS} answered in ${(tookMs / 1000).toFixed(1)} s, ${during} requests reached the server while it was down`);
	},
	150_000,
);

test.each([true, false])(
	'an outage longer than Keep Retrying For: every item fails, saying how long it tried (continue on fail %s)',
	async (continueOnFail) => {
		server.outage({ mode: '503', ms: 60_000 });
		const result = await run(continueOnFail, { keepRetryingMinutes: 0.05 });
		const failing = new Set(Array.from({ length: ITEMS }, (_, i) => i));
		checkRun(`outage longer than the budget (continue on fail ${continueOnFail ? 'on' : 'off'})`, result, server, continueOnFail, {
			failing,
			errorPattern: /is having problems \(HTTP 503\)/,
		});
		const description = continueOnFail ? String(result.output[0][ITEMS - 1].json.errorDescription) : String(result.error?.description);
		expect(description).toMatch(/It kept retrying for [\d.]+ s \(Request Settings → Keep Retrying For\), then gave up; the API has been unavailable for/);
		// Items that start once the outage is older than their budget fail at once (one last try each).
		expect(server.downtime?.requests ?? 0).toBeLessThan(ITEMS + 15);
	},
);

test('a stop during the outage pause ends the execution within a second', async () => {
	server.outage({ mode: '503', ms: 60_000 });
	const controller = new AbortController();
	const pending = run(true, {}, controller.signal);
	// Wait until the key is in its pause (a few failures in a row).
	while ((server.downtime?.requests ?? 0) < 3) await sleep(5);
	await sleep(300);
	const stoppedAt = Date.now();
	controller.abort();
	const result = await pending;
	const tookMs = Date.now() - stoppedAt;
	expect(result.error?.message).toMatch(/cancelled/);
	expect(tookMs).toBeLessThan(1_000);
	recordNote('stop during the outage pause', `returned ${tookMs} ms after the stop`);
});

test('a blip (one 503 among answers) is not an outage: only that item retries, nothing pauses', async () => {
	server.script({
		match: (r) => r.text === 'item-7',
		times: 1,
		respond: { status: 503, body: { error: { message: 'overloaded', type: 'service_unavailable_error', param: null, code: null } } },
	});
	const result = await run(true);
	expect(result.output[0].every((item) => typeof item.json.content === 'string')).toBe(true);
	expect(result.test.hints.map((h) => h.message).join(' ')).not.toMatch(/unavailable/);
});
