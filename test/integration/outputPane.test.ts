/**
 * What a newcomer sees after a run: the answer next to its input, a hint when items were
 * retried or failed, totals that equal the sum of their items.
 */
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { formatUsd } from '../../nodes/shared/format';
import { apiCredential, execute, items, startServer, type MockServer } from '../support/setup';

const chat = new OpenAiReliableChat();
const usage = new OpenAiReliableUsage();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const rateLimited = {
	status: 429,
	headers: { 'retry-after-ms': '5', 'x-ratelimit-remaining-requests': '500', 'x-ratelimit-limit-requests': '600' },
	body: { error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
};

function runChat(extra: Record<string, unknown> = {}, continueOnFail = false) {
	return execute(chat, {
		items: items(10, (i) => `review ${i}`).map((item, i) => ({ review: item.text, row: i })),
		continueOnFail,
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { review?: unknown }) => item.review,
			requestSettings: { maxWaitSeconds: 0.05 },
			...extra,
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
}

test('the answer sits next to the input fields; with an Answer Field, under it', async () => {
	const merged = await runChat();
	expect(merged.output[0][3].json).toMatchObject({ review: 'review 3', row: 3, content: 'Echo: review 3' });
	const nested = await runChat({ options: { answerField: 'openai' } });
	expect(nested.output[0][3].json).toMatchObject({ review: 'review 3', row: 3, openai: { content: 'Echo: review 3' } });
	const answerOnly = await runChat({ options: { includeInputFields: false } });
	expect(answerOnly.output[0][3].json.review).toBeUndefined();
	expect(answerOnly.output[0][3].json.content).toBe('Echo: review 3');
});

test('error items keep their input and their item number', async () => {
	server.script({
		match: (r) => r.text === 'review 4',
		respond: { status: 400, body: { error: { message: 'Bad thing', type: 'invalid_request_error', param: null, code: null } } },
	});
	const run = await runChat({}, true);
	expect(run.output[0][4].json).toMatchObject({ review: 'review 4', row: 4, itemIndex: 4, error: expect.stringMatching(/rejected the request/) });
});

test('retries are visible on the output pane, and all answered', async () => {
	server.script({ match: (r) => ['review 1', 'review 5', 'review 7'].includes(r.text ?? ''), times: 4, respond: rateLimited });
	const run = await runChat();
	expect(run.error).toBeUndefined();
	expect(run.test.hints).toEqual([
		expect.objectContaining({
			message: expect.stringMatching(/^10 items, \$0\.0000\d+ in all\. 3 of 10 items needed a retry \(4 retries, [\d.]+ (ms|s) of waiting\); all answered\./),
			type: 'info',
			location: 'outputPane',
		}),
	]);
});

test('failures are visible too, with the first reason', async () => {
	server.script({
		match: (r) => r.text === 'review 2',
		respond: { status: 400, body: { error: { message: 'Bad thing', type: 'invalid_request_error', param: null, code: null } } },
	});
	const run = await runChat({}, true);
	expect(run.test.hints).toEqual([
		expect.objectContaining({
			message: expect.stringMatching(/^10 items, \$0\.0000\d+ in all\. 1 item failed, the first with: .*rejected the request as invalid/),
			type: 'warning',
		}),
	]);
});

test("every item answered at the first try: one line with the run's total cost, and nothing about retries", async () => {
	const run = await runChat();
	const total = run.output[0].reduce((sum, item) => sum + Number(item.json.costUsd), 0);
	expect(run.test.hints).toEqual([{ message: `10 items answered, ${formatUsd(total)} in all.`, type: 'info', location: 'outputPane' }]);
});

test('the execution cost goes into custom data, the tokens into the metadata', async () => {
	const run = await runChat();
	const total = run.output[0].reduce((sum, item) => sum + Number(item.json.costUsd), 0);
	expect(Number(run.test.customData.openaiCostUsd)).toBeCloseTo(total, 10);
	expect(run.test.metadata.tokenUsage).toEqual({
		inputTokens: run.output[0].reduce((sum, item) => sum + Number(item.json.promptTokens), 0),
		outputTokens: run.output[0].reduce((sum, item) => sum + Number(item.json.completionTokens), 0),
	});
});

test('Estimate Cost: the total equals the sum of its items, over 1,000 items', async () => {
	const models = ['gpt-4o-mini', 'gpt-4o', 'gpt-5-nano'];
	const answers = Array.from({ length: 1000 }, (_, i) => ({
		model: models[i % 3],
		promptTokens: 17 + (i % 91),
		completionTokens: 3 + (i % 37),
		cachedTokens: i % 5 === 0 ? 16 : 0,
	}));
	const run = await execute(usage, { items: answers, parameters: { operation: 'estimateCost', includeTotal: true } });
	expect(run.error).toBeUndefined();
	const out = run.output[0];
	const sum = out.slice(0, 1000).reduce((acc, item) => acc + Number(item.json.costUsd), 0);
	const total = out[1000].json;
	expect(Math.abs(Number(total.totalCostUsd) - sum)).toBeLessThan(1e-9);
	expect(total.totalCost).toBe(formatUsd(sum));
	const byModel = total.byModel as Record<string, number>;
	expect(Math.abs(Object.values(byModel).reduce((a, b) => a + b, 0) - Number(total.totalCostUsd))).toBeLessThan(1e-9);
	expect(out[0].json.cost).toMatch(/^\$0\.0000\d+$/);
});

test('Count Tokens warns about an empty text instead of silently counting 0', async () => {
	const run = await execute(usage, {
		items: [{ text: '' }, { text: 'hello' }],
		parameters: { operation: 'countTokens', text: (_: number, item: { text?: string }) => item.text },
	});
	expect(run.output[0][0].json).toMatchObject({ tokenCount: 0, warning: expect.stringMatching(/empty/) });
	expect(run.output[0][1].json.warning).toBeUndefined();
	expect(run.test.hints[0].message).toMatch(/1 of 2 items had an empty Text/);
});
