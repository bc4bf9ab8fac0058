import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { apiCredential, execute, FAST_RETRY, items, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;

beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function chatParameters(extra: Record<string, unknown> = {}) {
	return {
		model: { mode: 'list', value: 'gpt-4o-mini' },
		prompt: (_: number, item: { text?: unknown }) => item.text,
		requestSettings: FAST_RETRY,
		...extra,
	};
}

test('answers every item in input order with usage, cost, request id and timings', async () => {
	const run = await execute(node, {
		items: items(12),
		parameters: chatParameters({ requestSettings: { ...FAST_RETRY, concurrency: 4 } }),
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(run.error).toBeUndefined();
	const out = run.output[0];
	expect(out).toHaveLength(12);
	out.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.content).toBe(`Echo: item-${i}`);
		expect(item.json.finishReason).toBe('stop');
		expect(item.json.model).toBe('gpt-4o-mini-2024-07-18');
		expect(item.json.text).toBe(`item-${i}`);
		expect(item.json).toMatchObject({
			promptTokens: expect.any(Number),
			completionTokens: expect.any(Number),
			totalTokens: expect.any(Number),
			cachedTokens: 0,
		});
		expect(item.json.usage).toBeUndefined();
		// Always there, empty without retries, so the table never shows it missing.
		expect(item.json.retryLog).toEqual([]);
		// The answer and its cost come right after the input's fields.
		expect(Object.keys(item.json).slice(0, 4)).toEqual(['text', 'content', 'costUsd', 'cost']);
		// The execution's running total is not in the simplified output (it jumps between rows).
		expect(item.json.executionCostUsd).toBeUndefined();
		expect(item.json.cost).toMatch(/^\$0\.0000/);
		expect(item.json.costUsd).toBeGreaterThan(0);
		expect(item.json.requestId).toMatch(/^req_/);
		expect(item.json.retries).toBe(0);
		expect(typeof item.json.latencyMs).toBe('number');
	});
	expect(server.requests).toHaveLength(12);
});

test('a 429 rate limit is retried and then succeeds', async () => {
	server.script({
		match: (r) => r.text === 'item-1',
		times: 2,
		respond: {
			status: 429,
			headers: { 'retry-after-ms': '20' },
			body: { error: { message: 'Rate limit reached. Please try again in 20ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
		},
	});
	const run = await execute(node, {
		items: items(3),
		parameters: chatParameters(),
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(run.error).toBeUndefined();
	expect(run.output[0][1].json.retries).toBe(2);
	expect(run.output[0][1].json.content).toBe('Echo: item-1');
	expect(server.requestsOf('item-1')).toHaveLength(3);
});

test('stop sequences: a comma-separated list is sent as a list; more than four is an error naming the field', async () => {
	const ok = await execute(node, {
		items: items(1),
		parameters: chatParameters({ options: { stop: 'END, ###' } }),
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(ok.error).toBeUndefined();
	expect(server.requests[0].body.stop).toEqual(['END', '###']);
	server.reset();
	const tooMany = await execute(node, {
		items: items(1),
		parameters: chatParameters({ options: { stop: 'a,b,c,d,e' } }),
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(String(tooMany.error?.message ?? tooMany.output[0]?.[0]?.json.error)).toMatch(/Stop Sequences/);
	expect(server.requests).toHaveLength(0);
});

test('Request Settings above the form maximum, set by an expression, are an error naming the field', async () => {
	for (const [field, name] of [
		['maxRetries', 'Max Retries'],
		['concurrency', 'Concurrency'],
	] as const) {
		server.reset();
		const run = await execute(node, {
			items: items(1),
			parameters: chatParameters({ requestSettings: { ...FAST_RETRY, [field]: 500 } }),
			credentials: { openAiReliableApi: apiCredential(server) },
		});
		expect(String(run.error?.message)).toContain(`Request Settings: ${name}`);
		expect(server.requests).toHaveLength(0);
	}
});
