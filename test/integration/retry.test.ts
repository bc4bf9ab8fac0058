/** Every retry rule of the transport, through the Chat node, against the mock server. */
import { sleep } from 'n8n-workflow';

import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { leaks } from '../reliability/helpers';
import { apiCredential, execute, FAST_RETRY, items, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const error = (message: string, type: string | null, code: string | null) => ({ error: { message, type, param: null, code } });

async function runOne(settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
	return await execute(node, {
		items: items(1, () => 'only'),
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: { ...FAST_RETRY, ...settings },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
		...extra,
	});
}

describe('retried, then successful', () => {
	test.each([
		['429 rate_limit_exceeded', { status: 429, body: error('Rate limit reached. Please try again in 1ms.', 'requests', 'rate_limit_exceeded') }],
		['408', { status: 408, body: error('Request timed out', null, null) }],
		['409', { status: 409, body: error('Conflict', null, null) }],
		['500', { status: 500, body: error('The server had an error while processing your request.', 'server_error', null) }],
		['502 HTML page', { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>' }],
		['503 overloaded', { status: 503, body: error('The engine is currently overloaded', 'service_unavailable_error', 'server_is_overloaded') }],
		['connection reset', { resetBeforeAnswer: true }],
		['reset mid-body', { resetMidBody: true }],
		['malformed JSON', { status: 200, body: '{"id": "chatcmpl-x", "choices": [' }],
	])('%s', async (_, respond) => {
		server.script({ match: () => true, times: 2, respond });
		const run = await runOne();
		expect(run.error).toBeUndefined();
		expect(run.output[0][0].json.content).toBe('Echo: only');
		expect(run.output[0][0].json.retries).toBe(2);
		expect((run.output[0][0].json.retryLog as string[]).length).toBe(2);
		expect(server.requests).toHaveLength(3);
		expect(leaks(run)).toEqual([]);
	});

	test('a timeout (server accepts, never answers) is retried', async () => {
		server.script({ match: () => true, times: 1, respond: { hang: true } });
		const run = await runOne({ timeoutSeconds: 0.3 });
		expect(run.error).toBeUndefined();
		expect(run.output[0][0].json.retries).toBe(1);
		expect(run.output[0][0].json.retryLog).toEqual([expect.stringMatching(/timeout/)]);
	});
});

describe('never retried: exactly one request', () => {
	test.each([
		[
			'insufficient_quota',
			429,
			error('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
			/no credit left/,
		],
		['400', 400, error("Invalid value for 'temperature'.", 'invalid_request_error', null), /rejected the request as invalid/],
		['401', 401, error('Incorrect API key provided: sk-proj-****abcd.', 'invalid_request_error', 'invalid_api_key'), /rejected the API key/],
		['403', 403, error('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'), /country or region/],
		[
			'404',
			404,
			error('The model `gpt-4o-mini` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'),
			/does not exist or this key cannot use it/,
		],
		[
			'400 context_length_exceeded',
			400,
			error("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded'),
			/context window/,
		],
		[
			'429 request too large',
			429,
			error('Request too large for gpt-4o-mini on tokens per min (TPM): Limit 200000, Requested 250000.', 'tokens', 'rate_limit_exceeded'),
			/larger than your tokens-per-minute limit/,
		],
	])('%s', async (_, status, body, message) => {
		server.script({ match: () => true, respond: { status, body, headers: { 'x-request-id': 'req_fixed123' } } });
		const run = await runOne();
		expect(run.error?.message).toMatch(message);
		// The plain sentence is the message; the description leads with what to do and ends with the codes.
		expect(run.error?.message).not.toMatch(/\[HTTP/);
		expect(run.error?.description).toMatch(new RegExp(`\\[HTTP ${status}(, code ${body.error.code ?? '[^,]+'})?, request id req_fixed123\\]$`));
		expect(server.requests).toHaveLength(1);
		expect(leaks(run)).toEqual([]);
	});
});

test('insufficient_quota on one item stops every later request of the run', async () => {
	server.script({
		match: () => true,
		respond: { status: 429, body: error('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota') },
	});
	const run = await execute(node, {
		items: items(10),
		continueOnFail: true,
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: { ...FAST_RETRY, concurrency: 1 },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(run.output[0]).toHaveLength(10);
	expect(run.output[0].every((item) => /no credit left/.test(String(item.json.error)))).toBe(true);
	expect(server.requests).toHaveLength(1);
});

test('retry-after-ms is waited before the next attempt', async () => {
	server.script({
		match: () => true,
		times: 1,
		respond: { status: 429, headers: { 'retry-after-ms': '400' }, body: error('Rate limit reached.', 'requests', 'rate_limit_exceeded') },
	});
	const run = await runOne({ maxWaitSeconds: 5 });
	expect(run.error).toBeUndefined();
	const [first, second] = server.requests;
	expect(second.at - first.at).toBeGreaterThanOrEqual(400);
	expect(run.output[0][0].json.retryLog).toEqual([expect.stringMatching(/the server's wait plus backoff/)]);
});

test('retry-after (seconds) is waited too', async () => {
	server.script({
		match: () => true,
		times: 1,
		respond: { status: 503, headers: { 'retry-after': '1' }, body: error('overloaded', 'service_unavailable_error', null) },
	});
	const run = await runOne({ maxWaitSeconds: 5 });
	expect(run.error).toBeUndefined();
	expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(1000);
});

test('a retry-after beyond Max Wait is capped, and the final error says so', async () => {
	server.script({
		match: () => true,
		respond: { status: 429, headers: { 'retry-after': '600' }, body: error('Rate limit reached.', 'requests', 'rate_limit_exceeded') },
	});
	const run = await runOne({ maxRetries: 1, maxWaitSeconds: 0.05 });
	expect(run.error?.message).toMatch(/rate limit exceeded/i);
	expect(run.error?.description).toMatch(/asked to wait 10 min, longer than Max Wait/);
	expect(server.requests).toHaveLength(2);
});

test('5xx that goes on: the key pauses as for an outage, then the item fails at Keep Retrying For, saying how long it tried', async () => {
	server.script({ match: () => true, respond: { status: 503, body: error('overloaded', 'service_unavailable_error', null) } });
	const run = await runOne({ keepRetryingMinutes: 0.05 });
	expect(run.error?.message).toMatch(/is having problems \(HTTP 503\)/);
	expect(run.error?.description).toMatch(/^This is on the server's side, not in your workflow\. Try again later/);
	expect(run.error?.description).toMatch(
		/It kept retrying for 3(\.\d)? s \(Request Settings → Keep Retrying For\), then gave up; the API has been unavailable for/,
	);
	// Three failures in a row, then one check at a time (1 s, then 1.5 s apart), then its last try.
	expect(server.requests.length).toBeGreaterThanOrEqual(4);
	expect(server.requests.length).toBeLessThanOrEqual(7);
	expect(leaks(run)).toEqual([]);
});

test('Max Retries, when added, limits the retries too: the item fails after that many of its own failed requests', async () => {
	server.script({ match: () => true, times: 2, respond: { status: 500, body: error('boom', 'server_error', null) } });
	server.script({
		match: () => true,
		respond: { status: 429, headers: { 'retry-after-ms': '5' }, body: error('Rate limit reached.', 'requests', 'rate_limit_exceeded') },
	});
	const run = await runOne({ maxRetries: 3 });
	expect(run.error?.description).toMatch(/Tried 4 times/);
	expect(run.error?.description).toMatch(/It gave up after 3 retries \(Request Settings → Max Retries\)/);
	expect(server.requests).toHaveLength(4);
});

test('Max Retries 0 sends once', async () => {
	server.script({ match: () => true, respond: { status: 500, body: error('boom', 'server_error', null) } });
	await runOne({ maxRetries: 0 });
	expect(server.requests).toHaveLength(1);
});

test('cancelling the execution during a backoff returns at once', async () => {
	server.script({
		match: () => true,
		respond: { status: 429, headers: { 'retry-after': '60' }, body: error('Rate limit reached.', 'requests', 'rate_limit_exceeded') },
	});
	const controller = new AbortController();
	const started = Date.now();
	const pending = runOne({ maxWaitSeconds: 60 }, { signal: controller.signal });
	while (server.requests.length === 0) await sleep(1);
	controller.abort();
	const run = await pending;
	expect(run.error?.message).toMatch(/cancelled/);
	// The backoff would have lasted 60 s; it ended with the cancellation instead.
	expect(Date.now() - started).toBeLessThan(30_000);
	expect(server.requests).toHaveLength(1);
});
