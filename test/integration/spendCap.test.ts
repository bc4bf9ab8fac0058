/**
 * Max Spend per Execution through the Chat node: the billed total (as the mock counted it,
 * priced independently of the node's own figures) never passes the cap; answered items
 * are all in the output; every item not sent is an error item that names the cap.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatUsd } from '../../nodes/shared/format';
import { costOfUsage } from '../../nodes/shared/pricing/prices';
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { apiCredential, execute, freshProcessState, items, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;
beforeAll(async () => {
	server = await startServer({ latencyMs: 5 });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

/** What the mock billed: its usage objects at the table's price. */
function billed(): number {
	return server.requests.filter((r) => r.outcome === 'completion').reduce((sum, r) => sum + (costOfUsage(String(r.body.model), r.usage)?.totalUsd ?? 0), 0);
}

/** About what one answer costs here: 12 prompt tokens and up to 10 answer tokens. */
const PER_ITEM = (12 * 0.15 + 6 * 0.6) / 1e6;

function run(count: number, cap: number, extra: { continueOnFail?: boolean; executionId?: string; keep?: boolean; prefix?: string; model?: string } = {}) {
	return execute(node, {
		items: items(count, (i) => `${extra.prefix ?? 'item'}-${i}`),
		continueOnFail: extra.continueOnFail ?? false,
		executionId: extra.executionId,
		keepProcessState: extra.keep,
		parameters: {
			model: { mode: 'id', value: extra.model ?? 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			// Simplify Output off: each answer carries executionCostUsd, the spend when it arrived.
			options: { maxTokens: 10, simplifyOutput: false },
			requestSettings: { concurrency: 10, maxSpendUsd: cap, maxWaitSeconds: 0.05 },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
}

describe.each([true, false])('continue on fail %s', (continueOnFail) => {
	test('a cap that covers about half: billed ≤ cap, answers kept, the rest are not-sent error items', async () => {
		const cap = 30 * PER_ITEM;
		const result = await run(60, cap, { continueOnFail });
		// The node does not fail: nothing answered (and billed) is thrown away.
		expect(result.error).toBeUndefined();
		const out = result.output[0];
		expect(out).toHaveLength(60);
		const answered = out.filter((item) => item.json.content !== undefined);
		const notSent = out.filter((item) => item.json.notSent === true);
		expect(answered.length + notSent.length).toBe(60);
		expect(answered.length).toBeGreaterThan(10);
		expect(notSent.length).toBeGreaterThan(10);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.text).toBe(`item-${i}`);
		});
		for (const item of notSent) {
			expect(String(item.json.error)).toMatch(/^Not sent: this execution's spend cap of \$0\.000\d+ was reached/);
			expect(server.requestsOf(String(item.json.text))).toHaveLength(0);
		}
		// Every answer the server billed is in the output.
		expect(server.requests.filter((r) => r.outcome === 'completion')).toHaveLength(answered.length);
		expect(billed()).toBeLessThanOrEqual(cap + 1e-12);
		expect(result.test.hints.map((h) => h.message).join(' ')).toMatch(new RegExp(`Spend cap reached: ${notSent.length} of 60 items were not sent`));
		const last = answered.map((item) => Number(item.json.executionCostUsd)).reduce((a, b) => Math.max(a, b), 0);
		expect(last).toBeLessThanOrEqual(cap + 1e-12);
		expect(Number(result.test.customData.openaiCostUsd)).toBeCloseTo(billed(), 9);
	});
});

test('429s on the way release their reservations: the cap still holds, and retried items still count once', async () => {
	server.script({
		match: (r) => Number(r.text?.split('-')[1]) % 3 === 0,
		times: 15,
		respond: {
			status: 429,
			headers: { 'retry-after-ms': '5', 'x-ratelimit-remaining-requests': '500', 'x-ratelimit-limit-requests': '600' },
			body: { error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
		},
	});
	const cap = 20 * PER_ITEM;
	const result = await run(40, cap, { continueOnFail: true });
	expect(result.output[0]).toHaveLength(40);
	expect(billed()).toBeLessThanOrEqual(cap + 1e-12);
	expect(server.counts.byStatus[429]).toBeGreaterThan(0);
});

test('every node of the execution draws from the same total', async () => {
	freshProcessState();
	const cap = 15 * PER_ITEM;
	const first = await run(10, cap, { executionId: 'shared-exec', keep: true, prefix: 'first' });
	expect(first.output[0].every((item) => item.json.content !== undefined)).toBe(true);
	const second = await run(20, cap, { executionId: 'shared-exec', keep: true, prefix: 'second' });
	const sentBySecond = second.output[0].filter((item) => item.json.content !== undefined).length;
	expect(sentBySecond).toBeLessThan(10);
	expect(billed()).toBeLessThanOrEqual(cap + 1e-12);
	// Another execution has its own total.
	const other = await run(5, cap, { executionId: 'another-exec', keep: true, prefix: 'other' });
	expect(other.output[0].every((item) => item.json.content !== undefined)).toBe(true);
});

test('with a cap, a model without a price is refused before anything is sent', async () => {
	const result = await run(3, 1, { model: 'my-llama', continueOnFail: true });
	expect(server.requests).toHaveLength(0);
	for (const item of result.output[0]) {
		expect(String(item.json.error)).toMatch(/^Max Spend per Execution \(USD\): no price is known for "my-llama", so its cost cannot be capped at \$1\.00/);
		expect(String(item.json.errorDescription)).toMatch(/Price Overrides/);
	}
});

test('a price override with an output limit makes any model cappable', async () => {
	const result = await execute(node, {
		items: items(2),
		parameters: {
			model: { mode: 'id', value: 'gpt-5-nano' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: { maxSpendUsd: 1 },
			priceOverrides: { prices: [{ model: 'gpt-5-nano', input: 1, output: 2, cachedInput: -1, maxOutput: 500 }] },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(result.error).toBeUndefined();
	const first = result.output[0][0].json as IDataObject;
	expect(first.costUsd).toBeCloseTo(((first.promptTokens as number) * 1 + (first.completionTokens as number) * 2) / 1e6, 12);
});

describe('a cap smaller than one request (issue 27: a newcomer tests the cap with $0.0001)', () => {
	const tiny = (extra: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) =>
		execute(node, {
			items: items(10, (i) => `review-${i}`),
			parameters: {
				model: { mode: 'list', value: 'gpt-4o-mini' },
				prompt: (_: number, item: { text?: unknown }) => item.text,
				requestSettings: { maxSpendUsd: 0.0001, maxWaitSeconds: 0.05, ...settings },
				...extra,
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});

	test('without Max Tokens, the refusal names the worst case and the Max Tokens that would fit', async () => {
		const result = await tiny();
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(0);
		const first = result.output[0][0].json;
		// gpt-4o-mini's longest answer (16,384 tokens at $0.60 per 1M) is about $0.0098.
		expect(String(first.error)).toMatch(
			/^Not sent: this execution's spend cap of \$0\.0001 is less than what one request could cost \(\$0\.0098\d*: \d+ input tokens plus up to 16,384 output tokens, the longest answer gpt-4o-mini can give \(no Max Tokens set\)\)/,
		);
		expect(String(first.errorDescription)).toMatch(/^Set Max Tokens in the Options: .* With Max Tokens 1\d\d or less, one request fits the cap\./);
		expect(result.test.hints.map((h) => h.message).join(' ')).toMatch(/Spend cap reached: 10 of 10 items were not sent/);
	});

	test('with Max Tokens 20, all ten are answered under the cap', async () => {
		const result = await tiny({ options: { maxTokens: 20 } });
		expect(result.output[0].every((item) => typeof item.json.content === 'string')).toBe(true);
		expect(billed()).toBeLessThanOrEqual(0.0001);
		// The hint line carries the run's total.
		const total = result.output[0].reduce((sum, item) => sum + Number(item.json.costUsd), 0);
		expect(result.test.hints).toEqual([expect.objectContaining({ message: `10 items answered, ${formatUsd(total)} in all.`, type: 'info' })]);
	});

	test('Max Tokens set too high: the advice is to lower it', async () => {
		const result = await tiny({ options: { maxTokens: 5000 } });
		expect(String(result.output[0][0].json.errorDescription)).toMatch(
			/^Lower Max Tokens in the Options \(with Max Tokens 1\d\d or less, one request fits the cap\)/,
		);
	});
});

describe('When the Spend Cap Is Reached: Stop the Workflow', () => {
	test.each([false, true])('the execution fails, the answers billed are kept in the error (continue on fail %s)', async (continueOnFail) => {
		const cap = 6 * PER_ITEM;
		const result = await execute(node, {
			items: items(30, (i) => `stop-${i}`),
			continueOnFail,
			parameters: {
				model: { mode: 'id', value: 'gpt-4o-mini' },
				prompt: (_: number, item: { text?: unknown }) => item.text,
				options: { maxTokens: 10 },
				requestSettings: { concurrency: 2, maxSpendUsd: cap, maxWaitSeconds: 0.05, onSpendCap: 'stop' },
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});
		expect(result.error).toBeDefined();
		expect(result.error?.message).toMatch(/^Not sent: this execution's spend cap of \$0\.0000\d+ was reached/);
		expect(result.error?.description).toMatch(
			/The workflow was stopped \(Request Settings → When the Spend Cap Is Reached: Stop the Workflow\): \d+ items? of 30 (was|were) answered and billed/,
		);
		const kept = (result.error as unknown as { context: { answeredItems: IDataObject[] } }).context.answeredItems;
		const completions = server.requests.filter((r) => r.outcome === 'completion');
		expect(kept.length).toBe(completions.length);
		expect(kept.length).toBeGreaterThan(0);
		for (const answer of kept) expect(answer.content).toBe(`Echo: stop-${answer.itemIndex as number}`);
		// No new item starts once the cap refused one: at most the items in flight follow.
		expect(server.requests.length).toBeLessThan(12);
		expect(billed()).toBeLessThanOrEqual(cap + 1e-12);
	});
});
