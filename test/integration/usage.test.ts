import { countTokens as referenceCount, encodeChat } from 'gpt-tokenizer/cjs/encoding/o200k_base';

import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { monthStartUtc } from '../../nodes/OpenAiReliableUsage/actions/organization/checkBudget.operation';
import { adminCredential, apiCredential, execute, FAST_RETRY, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableUsage();
let server: MockServer;
beforeAll(async () => {
	server = await startServer({ dailyCostUsd: 1 });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const chatOutput = (model: string, prompt: number, completion: number, cached = 0, reasoning = 0) => ({
	model,
	usage: {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
		prompt_tokens_details: { cached_tokens: cached },
		completion_tokens_details: { reasoning_tokens: reasoning },
	},
});

describe('Estimate Cost', () => {
	test('prices Chat node output, cached input at the cached price', async () => {
		const run = await execute(node, {
			items: [chatOutput('gpt-4o-mini-2024-07-18', 2000, 500, 1000), chatOutput('gpt-5', 1_000_000, 0)],
			parameters: { operation: 'estimateCost', model: (_: number, item: { model?: string }) => item.model },
		});
		expect(run.error).toBeUndefined();
		const [a, b] = run.output[0];
		expect(a.json.costUsd).toBeCloseTo((1000 * 0.15 + 1000 * 0.075 + 500 * 0.6) / 1e6, 12);
		expect(a.json.pricing).toMatchObject({ model: 'gpt-4o-mini', source: expect.stringMatching(/built-in table/) });
		expect(b.json.costUsd).toBeCloseTo(1.25, 9);
		expect(a.pairedItem).toEqual({ item: 0 });
	});

	test('built-in tool calls are priced on top of tokens: from a Chat node answer, or from the fields', async () => {
		const answer = { ...chatOutput('gpt-4o-mini', 1000, 100), toolCalls: { web_search: 2, code_interpreter: 1 } };
		const fromAnswer = await execute(node, { items: [answer], parameters: { operation: 'estimateCost', model: 'gpt-4o-mini' } });
		const tokens = (1000 * 0.15 + 100 * 0.6) / 1e6;
		expect(fromAnswer.output[0][0].json.costUsd).toBeCloseTo(tokens + 0.02 + 0.03, 10);
		expect(fromAnswer.output[0][0].json.costBreakdown).toMatchObject({ toolsUsd: 0.05, toolCalls: { web_search: 2, code_interpreter: 1 } });
		const fromFields = await execute(node, {
			items: [{}],
			parameters: {
				operation: 'estimateCost',
				tokenSource: 'fields',
				model: 'gpt-4o-mini',
				inputTokens: 1000,
				outputTokens: 100,
				toolCalls: { calls: { web_search: 1, file_search: 4 } },
			},
		});
		expect(fromFields.output[0][0].json.costUsd).toBeCloseTo(tokens + 0.01 + 0.01, 10);
	});

	test('a price override wins over the table', async () => {
		const run = await execute(node, {
			items: [chatOutput('gpt-4o-mini', 1_000_000, 1_000_000)],
			parameters: {
				operation: 'estimateCost',
				model: 'gpt-4o-mini',
				priceOverrides: { prices: [{ model: 'gpt-4o-mini', input: 1, output: 2, cachedInput: -1 }] },
			},
		});
		expect(run.output[0][0].json.costUsd).toBe(3);
		expect(run.output[0][0].json.pricing).toMatchObject({ source: 'price override' });
	});

	test('an unknown model fails with a clear error by default', async () => {
		const run = await execute(node, { items: [chatOutput('my-llama', 10, 10)], parameters: { operation: 'estimateCost', model: 'my-llama' } });
		expect(run.error?.message).toMatch(/Model: no price known for "my-llama"/);
		expect(run.error?.description).toMatch(/Price Overrides/);
	});

	test('or counts as zero with a warning field, as chosen', async () => {
		const run = await execute(node, {
			items: [chatOutput('my-llama', 10, 10)],
			parameters: { operation: 'estimateCost', model: 'my-llama', unknownModel: 'zero' },
		});
		expect(run.output[0][0].json).toMatchObject({ costUsd: 0, costWarning: expect.stringMatching(/my-llama/) });
	});

	test('token counts from fields, and a total item paired with every input', async () => {
		const run = await execute(node, {
			items: [{ n: 1 }, { n: 2 }],
			parameters: {
				operation: 'estimateCost',
				tokenSource: 'fields',
				model: 'gpt-4.1',
				inputTokens: (i: number) => (i + 1) * 1_000_000,
				outputTokens: 0,
				includeTotal: true,
			},
		});
		const out = run.output[0];
		expect(out).toHaveLength(3);
		expect(out[2].json).toMatchObject({ totalCostUsd: 6, items: 2, byModel: { 'gpt-4.1': 6 } });
		expect(out[2].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('an item without usage names the field', async () => {
		const run = await execute(node, { items: [{ model: 'gpt-4o' }], parameters: { operation: 'estimateCost', model: 'gpt-4o' } });
		expect(run.error?.message).toMatch(/^Answer Field: this item has no token counts at its top level/);
		expect(run.error?.description).toMatch(/connect it after that node/);
		expect(run.error?.description).not.toMatch(/Nothing was sent/);
	});
});

describe('Count Tokens', () => {
	const texts = ['Hello, world!', 'Grüße aus Köln – naïve café', '日本語のテキスト', 'Emoji 👋🏽 👨‍👩‍👧‍👦 🇩🇪', 'function f(x) { return x * 2; }'];

	test('text counts equal the reference tokenizer, with the input cost', async () => {
		const run = await execute(node, {
			items: texts.map((text) => ({ text })),
			parameters: { operation: 'countTokens', text: (_: number, item: { text?: string }) => item.text, countModel: 'gpt-4o-mini', expectedOutputTokens: 100 },
		});
		expect(run.error).toBeUndefined();
		run.output[0].forEach((item, i) => {
			expect(item.json.tokenCount).toBe(referenceCount(texts[i]));
			expect(item.json.encoding).toBe('o200k_base');
			expect(item.json.estimatedInputCostUsd).toBeCloseTo((referenceCount(texts[i]) * 0.15) / 1e6, 12);
			expect(item.json.estimatedCostUsd).toBeCloseTo((referenceCount(texts[i]) * 0.15 + 100 * 0.6) / 1e6, 12);
		});
	});

	test('chat messages include the per-message framing, like the reference', async () => {
		const messages = [
			{ role: 'system', content: 'You are helpful.' },
			{ role: 'user', content: 'Hello there! 👋 Wie geht’s?' },
			{ role: 'assistant', content: 'Fine, thanks.' },
		];
		const run = await execute(node, {
			items: [{ messages }],
			parameters: {
				operation: 'countTokens',
				countInput: 'messages',
				messages: (_: number, item: { messages?: unknown }) => item.messages,
				countModel: 'gpt-4o',
			},
		});
		expect(run.output[0][0].json.tokenCount).toBe(encodeChat(messages as never, 'gpt-4o').length);
	});

	test('GPT-4 uses cl100k_base', async () => {
		const run = await execute(node, { items: [{}], parameters: { operation: 'countTokens', text: 'hello world', countModel: 'gpt-4' } });
		expect(run.output[0][0].json.encoding).toBe('cl100k_base');
	});
});

describe('Get Usage', () => {
	test('follows every page and returns one item per bucket and group', async () => {
		const run = await execute(node, {
			parameters: {
				operation: 'getUsage',
				startDate: '2026-01-01T00:00:00Z',
				endDate: '2026-04-11T00:00:00Z',
				bucketWidth: '1d',
				groupBy: ['model'],
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		// 100 days at 31 buckets a page: 4 pages
		expect(server.requests).toHaveLength(4);
		expect(server.requests[0].query).toMatchObject({ bucket_width: '1d', limit: '31', group_by: 'model' });
		expect(server.requests[1].query.page).toBeTruthy();
		const out = run.output[0];
		expect(out).toHaveLength(200);
		expect(new Set(out.map((i) => i.json.startTime)).size).toBe(100);
		expect(out[0].json).toMatchObject({ model: expect.any(String), inputTokens: expect.any(Number), estimatedCostUsd: expect.any(Number) });
		expect(out.every((i) => JSON.stringify(i.pairedItem) === '{"item":0}')).toBe(true);
	});

	test('a summary adds up the buckets per group', async () => {
		const run = await execute(node, {
			parameters: {
				operation: 'getUsage',
				startDate: '2026-03-01T00:00:00Z',
				endDate: '2026-03-11T00:00:00Z',
				groupBy: ['project_id'],
				usageOutput: 'summary',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.output[0].map((i) => i.json.projectId).sort()).toEqual(['proj_alpha', 'proj_beta']);
		const alpha = run.output[0].find((i) => i.json.projectId === 'proj_alpha')!;
		expect(alpha.json).toMatchObject({ inputTokens: 20 * 1000, numModelRequests: 40, buckets: 10 });
	});

	test('web search calls: one item per day and model, the calls at their fee', async () => {
		const run = await execute(node, {
			parameters: {
				operation: 'getUsage',
				usageOf: 'webSearchCalls',
				startDate: '2026-03-01T00:00:00Z',
				endDate: '2026-03-04T00:00:00Z',
				webSearchGroupBy: ['model', 'context_level'],
				models: 'gpt-4.1',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		expect(server.requests[0].path).toBe('/organization/usage/web_search_calls');
		expect(server.requests[0].query).toMatchObject({ group_by: ['model', 'context_level'], models: 'gpt-4.1' });
		expect(run.output[0]).toHaveLength(6);
		expect(run.output[0][0].json).toEqual({
			startTime: '2026-03-01T00:00:00.000Z',
			endTime: '2026-03-02T00:00:00.000Z',
			model: 'gpt-4.1-2025-04-14',
			searchContextSize: 'medium',
			webSearchCalls: 3,
			numModelRequests: 2,
			estimatedCostUsd: 0.03,
		});
	});

	test('file search calls and code interpreter sessions, summed per group', async () => {
		const files = await execute(node, {
			parameters: {
				operation: 'getUsage',
				usageOf: 'fileSearchCalls',
				startDate: '2026-03-01T00:00:00Z',
				endDate: '2026-03-11T00:00:00Z',
				fileSearchGroupBy: ['vector_store_id'],
				models: 'ignored-here',
				usageOutput: 'summary',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(files.error).toBeUndefined();
		expect(server.requests[0].path).toBe('/organization/usage/file_search_calls');
		expect(server.requests[0].query.models).toBeUndefined();
		const store = files.output[0].find((i) => i.json.vectorStoreId === 'vs_a')!;
		expect(store.json).toMatchObject({ fileSearchCalls: 40, estimatedCostUsd: 0.1, buckets: 10 });

		server.requests.length = 0;
		const sessions = await execute(node, {
			parameters: {
				operation: 'getUsage',
				usageOf: 'codeInterpreterSessions',
				startDate: '2026-03-01T00:00:00Z',
				endDate: '2026-03-11T00:00:00Z',
				usageOutput: 'summary',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(server.requests[0].path).toBe('/organization/usage/code_interpreter_sessions');
		expect(sessions.output[0]).toHaveLength(1);
		expect(sessions.output[0][0].json).toMatchObject({ codeInterpreterSessions: 20, estimatedCostUsd: 0.6, buckets: 10 });
	});

	test('an end date before the start date is refused before sending', async () => {
		const run = await execute(node, {
			parameters: { operation: 'getUsage', startDate: '2026-03-10T00:00:00Z', endDate: '2026-03-01T00:00:00Z' },
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error?.message).toMatch(/^End Date: .* is not after the Start Date/);
		expect(run.test.httpCalls).toHaveLength(0);
	});

	test('a project key gets the admin-key explanation', async () => {
		const run = await execute(node, {
			parameters: { operation: 'getUsage', startDate: '2026-03-01T00:00:00Z', requestSettings: FAST_RETRY },
			credentials: { openAiReliableAdminApi: { ...adminCredential(server), apiKey: apiCredential(server).apiKey } },
		});
		expect(run.error?.message).toMatch(/need an organization admin key/);
		expect(server.requests).toHaveLength(1);
	});
});

describe('Get Costs', () => {
	test('totals over all pages in the account currency', async () => {
		const run = await execute(node, {
			parameters: { operation: 'getCosts', startDate: '2025-01-01T00:00:00Z', endDate: '2025-12-31T00:00:00Z', requestSettings: FAST_RETRY },
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		expect(server.requests).toHaveLength(3); // 364 days at 180 a page
		expect(run.output[0]).toHaveLength(1);
		expect(run.output[0][0].json).toMatchObject({ total: 364 * 2, currency: 'USD', days: 364 });
	});

	test("per group, with each group's share", async () => {
		const run = await execute(node, {
			parameters: {
				operation: 'getCosts',
				startDate: '2026-02-01T00:00:00Z',
				endDate: '2026-02-11T00:00:00Z',
				costGroupBy: ['project_id'],
				costOutput: 'groups',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.output[0].map((i) => [i.json.projectId, i.json.amount, i.json.shareOfTotal])).toEqual([
			['proj_alpha', 10, 0.5],
			['proj_beta', 10, 0.5],
		]);
	});
});

describe('Check Budget', () => {
	const spentSoFar = () => {
		const now = new Date();
		const days = Math.ceil((Date.now() / 1000 - monthStartUtc(now)) / 86_400);
		return days * 2; // the mock bills 2 USD a day
	};

	test.each([
		['well below the soft limit', 0.1, { soft: false, hard: false, output: 0 }],
		['between soft and hard', 0.9, { soft: true, hard: false, output: 0 }],
		['over the hard limit', 2, { soft: true, hard: true, output: 1 }],
	])('month to date from the Costs API: %s', async (_, factor, expected) => {
		const budget = spentSoFar() / factor;
		const run = await execute(node, {
			items: [{ a: 1 }, { a: 2 }],
			parameters: { operation: 'checkBudget', monthlyBudget: budget, softLimitPercent: 80, hardLimitPercent: 100, requestSettings: FAST_RETRY },
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		const routed = run.output[expected.output];
		expect(routed).toHaveLength(2);
		expect(run.output[1 - expected.output]).toHaveLength(0);
		expect(routed[0].json).toMatchObject({
			a: 1,
			spentUsd: spentSoFar(),
			budgetUsd: budget,
			softLimitUsd: expect.closeTo(budget * 0.8, 8),
			softLimitPercent: 80,
			hardLimitPercent: 100,
			softLimitReached: expected.soft,
			hardLimitReached: expected.hard,
			percentUsed: expect.any(Number),
		});
		expect(routed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(server.requests).toHaveLength(1); // one report for all items
	});

	test('routing on the soft limit, when asked', async () => {
		const run = await execute(node, {
			items: [{}],
			parameters: { operation: 'checkBudget', monthlyBudget: spentSoFar() / 0.9, routeOverWhen: 'soft', requestSettings: FAST_RETRY },
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.output[1]).toHaveLength(1);
		expect(run.output[1][0].json.hardLimitReached).toBe(false);
	});

	test('incoming costs, as a running total: items past the limit go to Over Budget', async () => {
		const costs = [0.3, 0.3, 0.3, 0.3, 0.3];
		const run = await execute(node, {
			items: costs.map((costUsd) => ({ costUsd })),
			parameters: { operation: 'checkBudgetItems', monthlyBudget: 1, softLimitPercent: 50, hardLimitPercent: 100 },
		});
		const [within, over] = run.output;
		expect(within.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(over.map((i) => i.pairedItem)).toEqual([{ item: 3 }, { item: 4 }]);
		expect(within[1].json).toMatchObject({ spentUsd: 0.6, softLimitReached: true, hardLimitReached: false });
		expect(over[0].json).toMatchObject({ spentUsd: 1.2, hardLimitReached: true });
		expect(run.test.httpCalls).toHaveLength(0);
	});

	test('incoming costs as one total, plus what was already spent', async () => {
		const run = await execute(node, {
			items: [{ c: 0.1 }, { c: 0.1 }],
			parameters: { operation: 'checkBudgetItems', monthlyBudget: 1, costField: 'c', spendMode: 'total', alreadySpent: 0.85 },
		});
		expect(run.output[1]).toHaveLength(2);
		expect(run.output[1][0].json.spentUsd).toBe(1.05);
	});

	test('a cost that is not a number fails only its own item (Continue On Fail), the others are routed', async () => {
		const items = [{ costUsd: 0.2 }, { costUsd: 'twelve' }, { costUsd: 0.3 }];
		const parameters = { operation: 'checkBudgetItems', monthlyBudget: 1, softLimitPercent: 50, hardLimitPercent: 100 };
		const run = await execute(node, { items, continueOnFail: true, parameters });
		expect(run.error).toBeUndefined();
		const [within, over] = run.output;
		expect(within.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect(within[1].json.spentUsd).toBe(0.5);
		expect(over).toHaveLength(1);
		expect(over[0].json).toMatchObject({ costUsd: 'twelve', itemIndex: 1, error: expect.stringMatching(/^Cost Field: "costUsd" holds "twelve"/) });
		const strict = await execute(node, { items, parameters });
		expect(strict.error?.message).toMatch(/^Cost Field: "costUsd" holds "twelve"/);
	});

	test('a budget of 0 or less is refused before sending', async () => {
		const run = await execute(node, {
			items: [{}],
			parameters: { operation: 'checkBudget', monthlyBudget: 0 },
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error?.message).toMatch(/^Monthly Budget \(USD\): 0 is out of range: it must be more than 0/);
		expect(run.test.httpCalls).toHaveLength(0);
	});
});

describe('Get Rate Limits', () => {
	test('parses the x-ratelimit headers of the cheapest request', async () => {
		const run = await execute(node, {
			parameters: { operation: 'getRateLimits', rateLimitModel: { mode: 'list', value: 'gpt-4o-mini' }, requestSettings: FAST_RETRY },
			credentials: { openAiReliableApi: apiCredential(server) },
		});
		expect(run.error).toBeUndefined();
		expect(run.output[0][0].json).toMatchObject({
			model: 'gpt-4o-mini',
			requests: { limit: 10000, remaining: 9999, resetMs: 6, resetsAt: expect.any(String) },
			tokens: { limit: 30000000, remaining: 29999000, resetMs: 2 },
			headersPresent: true,
		});
		const sent = server.requests[0].body;
		expect(sent.max_tokens).toBe(1);
		expect(sent.messages).toHaveLength(1);
	});
});
