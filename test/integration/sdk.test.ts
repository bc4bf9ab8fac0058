/** The official openai SDK must accept the mock server's answers: this keeps the mock honest. */
import OpenAI from 'openai';

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
