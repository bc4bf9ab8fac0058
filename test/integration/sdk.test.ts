/** The official openai SDK must accept the mock server's answers: this keeps the mock honest. */
import OpenAI from 'openai';
import { sleep } from 'n8n-workflow';

import { ADMIN_KEY, PROJECT_KEY, startServer, type MockServer } from '../support/setup';

let server: MockServer;
let client: OpenAI;
beforeAll(async () => {
	server = await startServer();
	client = new OpenAI({ apiKey: PROJECT_KEY, adminAPIKey: ADMIN_KEY, baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

test('chat completions parse, with usage details', async () => {
	const completion = await client.chat.completions.create({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }] });
	expect(completion.choices[0].message.content).toBe('Echo: hi');
	expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(16);
	expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
});

test('raw responses carry the request id and rate-limit headers', async () => {
	const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
	expect(response.headers.get('x-request-id')).toMatch(/^req_/);
	expect(response.headers.get('x-ratelimit-limit-requests')).toBeTruthy();
});

test("the model list pages like OpenAI's", async () => {
	const ids: string[] = [];
	for await (const model of client.models.list()) ids.push(model.id);
	expect(ids).toContain('gpt-4o-mini');
});

test("errors map to the SDK's error classes with OpenAI's codes", async () => {
	server.script({
		match: () => true,
		times: 1,
		respond: {
			status: 429,
			body: { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
		},
	});
	await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
		status: 429,
		code: 'insufficient_quota',
		type: 'insufficient_quota',
	});
	const wrong = new OpenAI({ apiKey: 'sk-proj-wrong', baseURL: server.url, maxRetries: 0 });
	await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
	await expect(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
});

test("the SDK's own retry reads the mock's retry-after-ms", async () => {
	server.script({
		match: () => true,
		times: 1,
		respond: {
			status: 429,
			headers: { 'retry-after-ms': '10' },
			body: { error: { message: 'Rate limit reached. Please try again in 10ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
		},
	});
	const retrying = new OpenAI({ apiKey: PROJECT_KEY, baseURL: server.url, maxRetries: 1 });
	const completion = await retrying.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] });
	expect(completion.choices[0].message.content).toBe('Echo: again');
	expect(server.requests).toHaveLength(2);
});

test('organization usage and costs parse', async () => {
	const usage = await client.admin.organization.usage.completions({ start_time: 1_789_948_800, end_time: 1_790_208_000, group_by: ['model'] });
	expect(usage.data.length).toBe(3);
	expect(usage.data[0].results[0]).toMatchObject({ object: 'organization.usage.completions.result', input_tokens: expect.any(Number) });
	const costs = await client.admin.organization.usage.costs({ start_time: 1_789_948_800, end_time: 1_790_208_000 });
	expect(costs.data[0].results[0]).toMatchObject({ amount: { currency: 'usd' } });
});

test('the built-in tools usage pages parse', async () => {
	const range = { start_time: 1_789_948_800, end_time: 1_790_208_000 };
	const searches = await client.admin.organization.usage.webSearchCalls(range);
	expect(searches.data[0].results[0]).toMatchObject({ object: 'organization.usage.web_searches.result', num_requests: 6, num_model_requests: 4 });
	const files = await client.admin.organization.usage.fileSearchCalls(range);
	expect(files.data[0].results[0]).toMatchObject({ num_requests: 8 });
	const sessions = await client.admin.organization.usage.codeInterpreterSessions(range);
	expect(sessions.data[0].results[0]).toMatchObject({ object: 'organization.usage.code_interpreter_sessions.result', num_sessions: 2 });
});

test('responses.create parses, with output_text, citations and usage', async () => {
	const response = await client.responses.create({
		model: 'gpt-4.1-mini',
		instructions: 'Be brief.',
		input: 'search: the weather',
		tools: [{ type: 'web_search' }],
		max_tool_calls: 2,
	});
	expect(response.status).toBe('completed');
	expect(response.output_text).toMatch(/search: the weather/);
	expect(response.output.map((item) => item.type)).toEqual(['web_search_call', 'message']);
	const message = response.output.find((item) => item.type === 'message');
	const text = message?.type === 'message' ? message.content[0] : undefined;
	expect(text?.type === 'output_text' ? text.annotations.map((a) => a.type) : []).toContain('url_citation');
	expect(response.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
});

test("responses stream: the SDK's own event reader puts the text together", async () => {
	const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'stream me' });
	const deltas: string[] = [];
	stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
	const final = await stream.finalResponse();
	expect(deltas.join('')).toBe(final.output_text);
	expect(final.output_text).toBe('Echo: stream me');
	expect(final.usage?.output_tokens).toBeGreaterThan(0);
});

test('a background response: created queued, retrieved when done, and cancel answers cancelled', async () => {
	server.backgroundMs = 200;
	{
		const sdk = client;
		const queued = await sdk.responses.create({ model: 'o3-pro', input: 'think', background: true });
		expect(queued.status).toBe('queued');
		let done = await sdk.responses.retrieve(queued.id);
		for (let i = 0; i < 50 && done.status !== 'completed'; i++) {
			await sleep(50);
			done = await sdk.responses.retrieve(queued.id);
		}
		expect(done.output_text).toBe('Echo: think');
		const other = await sdk.responses.create({ model: 'o3-pro', input: 'stop me', background: true });
		expect((await sdk.responses.cancel(other.id)).status).toBe('cancelled');
	}
});
