/**
 * Max Spend per Execution through the Chat node: the billed total (as the mock counted it,
 * priced independently of the node's own figures) never passes the cap; answered items
 * are all in the output; every item not sent is an error item that names the cap.
 */
import type { IDataObject } from 'n8n-workflow';

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
	return server.requests
		.filter((r) => r.outcome === 'completion')
		.reduce((sum, r) => sum + (costOfUsage(String(r.body.model), r.usage)?.totalUsd ?? 0), 0);
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
			options: { maxTokens: 10 },
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
