/**
 * Fault injection: 50 items through the Chat node, with continue-on-fail on and off,
 * against a mock server that misbehaves in the ways real networks and proxies do.
 */
import { sleep } from 'n8n-workflow';

import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { adminCredential, execute, PROJECT_KEY, startServer, type MockServer } from '../support/setup';
import { checkRun, ITEMS, recordNote, runChat, type Expectation } from './helpers';

let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const SETTINGS = { maxRetries: 2, maxWaitSeconds: 0.02, timeoutSeconds: 2, concurrency: 8 };
const errorBody = (message: string, type: string | null, code: string | null) => ({ error: { message, type, param: null, code } });

function run(continueOnFail: boolean, settings: Record<string, unknown> = {}, baseUrl?: string, signal?: AbortSignal) {
	return runChat(baseUrl ? { url: baseUrl } : server, { continueOnFail, settings: { ...SETTINGS, ...settings }, signal });
}

const every = (n: number) => (text: string | undefined) => text !== undefined && Number(text.split('-')[1]) % n === 0;

/**
 * A fault for some items: the items in `recovering` hit it for `recoverAfter` attempts
 * (fewer than the retries, so they succeed); the items in `failing` hit it every time.
 */
interface FaultCase {
	name: string;
	respond: Parameters<MockServer['script']>[0]['respond'];
	errorPattern: RegExp;
	settings?: Record<string, unknown>;
	recovering?: (text: string | undefined) => boolean;
	failing?: number[];
}

const cases: FaultCase[] = [
	{
		name: 'connection reset mid-body',
		respond: { resetMidBody: true },
		errorPattern: /connection closed before the answer arrived/,
		failing: [3, 31],
	},
	{
		name: 'body trickles one byte at a time past the Timeout',
		respond: { trickle: { intervalMs: 100, giveUpMs: 5_000 } },
		errorPattern: /No complete answer from the server within the timeout of 500 ms/,
		settings: { timeoutSeconds: 0.5 },
		recovering: every(10),
		failing: [4, 44],
	},
	{
		name: '200 whose body is an error object',
		respond: { status: 200, body: errorBody(`Upstream failure while using Bearer ${PROJECT_KEY}`, 'server_error', null) },
		errorPattern: /answered HTTP 200 with an error|is having problems \(HTTP 500\) \(sent as an error inside an HTTP 200 answer\)/,
		failing: [6, 36],
	},
	{
		name: '200 without choices',
		respond: { status: 200, body: { id: 'chatcmpl-empty', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', usage: {} } },
		errorPattern: /answered HTTP 200, but not with a chat completion/,
		failing: [8, 28],
	},
	{
		name: 'headers never sent (server accepts, then never answers)',
		respond: { hang: true },
		errorPattern: /No complete answer from the server within the timeout of 300 ms/,
		settings: { timeoutSeconds: 0.3 },
		recovering: every(10),
		failing: [7],
	},
	{
		name: '502/503 bursts longer than max retries',
		respond: {
			status: 503,
			body: errorBody('The engine is currently overloaded, please try again later.', 'service_unavailable_error', 'server_is_overloaded'),
		},
		errorPattern: /is having problems \(HTTP 503\)/,
		failing: [0, 12, 13, 49],
	},
	{
		name: '502 HTML error page from a proxy',
		respond: { status: 502, body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>' },
		errorPattern: /web page instead of JSON \(HTTP 502\)/,
		failing: [5, 25],
	},
	{
		name: 'malformed JSON',
		respond: { status: 200, body: '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":' },
		errorPattern: /not the JSON the API returns/,
		failing: [9],
	},
	{
		name: 'retry-after of 10 minutes, capped at Max Wait',
		respond: {
			status: 429,
			headers: { 'retry-after': '600' },
			body: errorBody('Rate limit reached for gpt-4o-mini. Please try again in 10m0s.', 'requests', 'rate_limit_exceeded'),
		},
		errorPattern: /rate limit exceeded/i,
		failing: [2, 40],
	},
];

describe.each([true, false])('continue on fail: %s', (continueOnFail) => {
	test.each(cases)('$name', async (fault) => {
		const failing = new Set(fault.failing ?? []);
		const recovering = fault.recovering ?? every(4);
		server.script({ match: (r) => r.path === '/chat/completions' && failing.has(Number(r.text?.split('-')[1])), respond: fault.respond });
		for (let i = 0; i < ITEMS; i++) {
			if (!failing.has(i) && recovering(`item-${i}`)) {
				server.script({ match: (r) => r.text === `item-${i}`, times: 2, respond: fault.respond });
			}
		}
		const result = await run(continueOnFail, fault.settings);
		const expectation: Expectation = { failing, errorPattern: fault.errorPattern };
		checkRun(`${fault.name} (continue on fail ${continueOnFail ? 'on' : 'off'})`, result, server, continueOnFail, expectation);

		if (fault.name.startsWith('retry-after')) {
			const message = continueOnFail ? String(result.output[0][2].json.errorDescription) : String(result.error?.description);
			expect(message).toMatch(/asked to wait 10 min|asked to wait 600 s/);
			expect(message).toMatch(/Max Wait/);
		}
		// A failing item was tried 1 + Max Retries times; when failures of several items came in a
		// row, the key paused as for an outage, and an item may also have been one of its probes
		// (a few, which do not count against Max Retries).
		for (const i of failing) {
			if (!continueOnFail) continue;
			expect(server.requestsOf(`item-${i}`).length).toBeGreaterThanOrEqual(1 + SETTINGS.maxRetries);
			expect(server.requestsOf(`item-${i}`).length).toBeLessThanOrEqual(1 + SETTINGS.maxRetries + 4);
		}
	});

	test.each([
		// Without a network, a resolver may also time out instead of answering "no such host".
		['DNS failure', 'http://no-such-host.invalid/v1', /could not be found|No complete answer from the server within the timeout/],
		['nothing listening on the port', 'http://127.0.0.1:9/v1', /Could not connect to 127\.0\.0\.1:9/],
	])('%s', async (name, baseUrl, pattern) => {
		// A server that stays unreachable: every item waits out its time budget (3 s here) in the
		// key's outage pause, then fails saying how long it tried.
		const result = await run(continueOnFail, { keepRetryingMinutes: 0.05, maxRetries: 100 }, baseUrl);
		const failing = new Set(Array.from({ length: ITEMS }, (_, i) => i));
		checkRun(`${name} (continue on fail ${continueOnFail ? 'on' : 'off'})`, result, undefined, continueOnFail, {
			failing,
			errorPattern: pattern,
			serverSees: false,
		});
		const description = continueOnFail ? String(result.output[0][ITEMS - 1].json.errorDescription) : String(result.error?.description);
		expect(description).toMatch(/kept retrying for [\d.]+ s \(Request Settings → Keep Retrying For\)/);
		// While the server was down, a probe every few seconds, then each item's own last try: no storm of requests.
		if (continueOnFail) expect(result.test.httpCalls.length).toBeLessThan(ITEMS + 15);
	});
});

test.each([true, false])('execution cancelled while waiting on a backoff (continue on fail %s)', async (continueOnFail) => {
	server.script({
		match: () => true,
		respond: { status: 429, headers: { 'retry-after': '60' }, body: errorBody('Rate limit reached.', 'requests', 'rate_limit_exceeded') },
	});
	const controller = new AbortController();
	const pending = run(continueOnFail, { maxWaitSeconds: 60, maxRetries: 5 }, undefined, controller.signal);
	while (server.requests.length === 0) await sleep(1);
	const cancelledAt = Date.now();
	controller.abort();
	const result = await pending;
	const tookMs = Date.now() - cancelledAt;
	expect(result.error?.message).toMatch(/cancelled/);
	// Every item was waiting 60 s; the node returned with the cancellation instead.
	expect(tookMs).toBeLessThan(30_000);
	expect(server.requests.length).toBeLessThanOrEqual(SETTINGS.concurrency);
	recordNote(`cancel during backoff (continue on fail ${continueOnFail ? 'on' : 'off'})`, `returned ${tookMs} ms after cancel`);
});

describe('usage reports', () => {
	const usage = new OpenAiReliableUsage();
	const report = (continueOnFail: boolean) =>
		execute(usage, {
			items: [{}],
			continueOnFail,
			parameters: {
				operation: 'getUsage',
				startDate: '2026-11-01T00:00:00Z',
				endDate: '2026-11-03T00:00:00Z',
				requestSettings: { maxRetries: 2, maxWaitSeconds: 0.02 },
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});

	test.each([true, false])('a 200 with an empty data page is an empty report, not a failure (continue on fail %s)', async (continueOnFail) => {
		server.script({
			match: (r) => r.path === '/organization/usage/completions',
			respond: { status: 200, body: { object: 'page', data: [], has_more: false, next_page: null } },
		});
		const result = await report(continueOnFail);
		expect(result.error).toBeUndefined();
		expect(result.output[0]).toEqual([]);
		expect(server.requests).toHaveLength(1);
		recordNote(`usage report, 200 with an empty data page (continue on fail ${continueOnFail ? 'on' : 'off'})`, 'no rows, one request');
	});

	test.each([true, false])('a 200 without a data list is retried, then an error (continue on fail %s)', async (continueOnFail) => {
		server.script({ match: (r) => r.path === '/organization/usage/completions', respond: { status: 200, body: { object: 'page', has_more: false } } });
		const result = await report(continueOnFail);
		const message = continueOnFail ? String(result.output[0][0].json.error) : String(result.error?.message);
		expect(message).toMatch(/answered HTTP 200, but not with a report page/);
		expect(server.requests).toHaveLength(3);
		recordNote(`usage report, 200 without data (continue on fail ${continueOnFail ? 'on' : 'off'})`, 'retried twice, then a clear error');
	});
});
