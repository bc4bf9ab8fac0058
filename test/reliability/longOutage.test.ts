/**
 * Outages as long as OpenAI's short incidents (issue 28): 30 s of 503s and 2 minutes of
 * connections reset, from the first request on, through the Chat node with the default
 * Request Settings (Keep Retrying For 5 minutes, no Max Retries). Every item is answered once
 * the server is back, none twice, and while it is down the key's pause lets one check through
 * every few seconds. Real time, in a file of its own so it runs beside the others; real n8n
 * rides out the same outages, in every mode, in `npm run e2e` (scenario 22).
 */
import { freshProcessState, startServer, type MockServer } from '../support/setup';
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
		const result = await runChat(server, { continueOnFail: true, settings: { maxWaitSeconds: 0.2, timeoutSeconds: 5 } });
		const tookMs = Date.now() - started;
		const name = `outage ${ms / 1000} s, ${mode}`;
		checkRun(name, result, server, true, { failing: new Set(), errorPattern: /never/ });
		const during = server.downtime?.requests ?? 0;
		// The failures that began the pause, then one check at a time, at most 2.5 s apart.
		expect(during).toBeLessThanOrEqual(6 + ms / 2_000);
		expect(tookMs).toBeGreaterThanOrEqual(ms);
		expect(tookMs).toBeLessThan(ms + CHECK_INTERVAL_MS + RUN_MS);
		expect(result.test.hints.map((h) => h.message).join(' ')).toMatch(/^The API was unavailable for [\d.]+ (s|min); .*Every item was answered/);
		recordNote(name, `all ${ITEMS} answered in ${(tookMs / 1000).toFixed(1)} s, ${during} requests reached the server while it was down`);
	},
	150_000,
);
