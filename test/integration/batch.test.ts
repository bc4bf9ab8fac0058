import { sleep, type IDataObject } from 'n8n-workflow';

import { OpenAiReliableBatch } from '../../nodes/OpenAiReliableBatch/OpenAiReliableBatch.node';
import { splitLines, type BatchLine } from '../../nodes/OpenAiReliableBatch/helpers/lines';
import { costOfUsage } from '../../nodes/shared/pricing/prices';
import { apiCredential, DEFAULT_RETRY, execute, FAST_RETRY, items, PROJECT_KEY, startServer, uploadedLines, type MockServer } from '../support/setup';

const node = new OpenAiReliableBatch();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	server.batchScript = { stepMs: 50 };
});

type Extra = { continueOnFail?: boolean; signal?: AbortSignal; input?: IDataObject[] };

function batchRun(count: number, parameters: Record<string, unknown> = {}, extra: Extra = {}) {
	return execute(node, {
		items: extra.input ?? items(count),
		continueOnFail: extra.continueOnFail ?? false,
		signal: extra.signal,
		parameters: {
			operation: 'submitAndWait',
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: FAST_RETRY,
			waiting: { pollSeconds: 1, maxWaitMinutes: 1 },
			...parameters,
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
}

const paths = () => server.requests.map((r) => `${r.method} ${r.path}`);

test('Submit and Wait: one JSONL upload, one batch, one answer per item in input order at half the price', async () => {
	const run = await batchRun(12, { options: { maxTokens: 50 } });
	expect(run.error).toBeUndefined();
	const upload = server.requests.find((r) => r.path === '/files');
	expect(upload?.upload).toMatchObject({ purpose: 'batch', lines: 12 });
	const create = server.requests.find((r) => r.path === '/batches' && r.method === 'POST');
	expect(create?.body).toMatchObject({ endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { json: 'no', part: '1/1' } });
	const out = run.output[0];
	expect(out).toHaveLength(12);
	out.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.text).toBe(`item-${i}`);
		expect(item.json.content).toBe(`Echo: item-${i}`);
		expect(item.json.customId).toBe(`item-${i}`);
		expect(item.json.serviceTier).toBe('batch');
		const usage = { prompt_tokens: item.json.promptTokens, completion_tokens: item.json.completionTokens };
		const standard = costOfUsage('gpt-4o-mini', usage, {}, 'standard')!.totalUsd;
		expect(item.json.costUsd).toBeCloseTo(standard / 2, 12);
	});
	// No chat completion was sent live.
	expect(paths().filter((p) => p === 'POST /chat/completions')).toHaveLength(0);
});

test('the same request builder as the Chat node: a bad field fails before anything is uploaded', async () => {
	const run = await batchRun(3, { options: { temperature: 7 } });
	expect(run.error?.message).toMatch(/^Temperature: /);
	expect(server.requests).toHaveLength(0);
});

test("3 failed lines give 3 error items with OpenAI's code; the others are answered (Continue On Fail)", async () => {
	server.batchScript = { stepMs: 50, failLines: ['item-2', 'item-5', 'item-7'] };
	const run = await batchRun(10, {}, { continueOnFail: true });
	expect(run.error).toBeUndefined();
	const out = run.output[0].map((item) => item.json);
	expect(out.filter((json) => json.error)).toHaveLength(3);
	for (const i of [2, 5, 7]) {
		expect(out[i].error).toBe("OpenAI could not answer this item in the batch: Invalid value for 'temperature': must be at most 2.");
		expect(out[i]).toMatchObject({ openAiCode: 'invalid_value', httpStatus: 400, itemIndex: i });
	}
	expect(out.filter((json) => typeof json.content === 'string')).toHaveLength(7);
});

test('without Continue On Fail a failed line stops the node with its message', async () => {
	server.batchScript = { stepMs: 50, failLines: ['item-1'] };
	const run = await batchRun(3);
	expect(run.error?.message).toMatch(/^OpenAI could not answer this item in the batch/);
});

test('a malformed output line becomes one error item and loses none of the others', async () => {
	server.batchScript = { stepMs: 50, malformed: ['item-4'] };
	const run = await batchRun(8, {}, { continueOnFail: true });
	const out = run.output[0].map((item) => item.json);
	expect(out[4].error).toBe("OpenAI's result line for this item could not be read");
	expect(out.filter((json, i) => i !== 4 && json.content === `Echo: item-${i}`)).toHaveLength(7);
});

test.each([
	['expired', /^Not answered: the batch expired/],
	['cancelled', /^Not answered: the batch was cancelled/],
])('a batch that ends %s: finished items answered, the others say so', async (end, message) => {
	server.batchScript = { stepMs: 50, end, finishShare: 0.5 };
	const run = await batchRun(10, {}, { continueOnFail: true });
	const out = run.output[0].map((item) => item.json);
	expect(out.filter((json) => typeof json.content === 'string')).toHaveLength(5);
	const unanswered = out.filter((json) => json.error);
	expect(unanswered).toHaveLength(5);
	for (const json of unanswered) {
		expect(json.error).toMatch(message);
		expect(json.errorDescription).toMatch(/Nothing was billed for this item; send it again/);
	}
});

test('a batch that fails as a whole: every item says so', async () => {
	server.batchScript = { stepMs: 50, end: 'failed' };
	const run = await batchRun(4, {}, { continueOnFail: true });
	expect(run.output[0].map((item) => item.json.error)).toEqual(Array(4).fill('Not answered: the batch failed as a whole'));
});

test('a 429 and a 500 while polling are retried', async () => {
	server.script({
		match: (r) => r.method === 'GET' && /^\/batches\/batch-/.test(r.path),
		times: 1,
		respond: {
			status: 429,
			headers: { 'retry-after-ms': '10' },
			body: { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
		},
	});
	server.script({
		match: (r) => r.method === 'GET' && /^\/files\/.*\/content$/.test(r.path),
		times: 1,
		respond: { status: 500, body: { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } } },
	});
	const run = await batchRun(3);
	expect(run.error).toBeUndefined();
	expect(run.output[0].map((item) => item.json.content)).toEqual(['Echo: item-0', 'Echo: item-1', 'Echo: item-2']);
	expect(server.counts.byStatus[429]).toBe(1);
	expect(server.counts.byStatus[500]).toBe(1);
});

describe("an outage of 4 s (issue 28): the Batch node waits in the key's pause like the Chat node", () => {
	test.each(['503', 'reset'] as const)('from the upload on (%s): one file, one batch, every item answered', async (mode) => {
		server.outage({ mode, ms: 4_000 });
		const started = Date.now();
		const run = await batchRun(5, { requestSettings: { ...DEFAULT_RETRY, timeoutSeconds: 5 } });
		expect(run.error).toBeUndefined();
		expect(run.output[0].map((item) => item.json.content)).toEqual([0, 1, 2, 3, 4].map((i) => `Echo: item-${i}`));
		// The upload failed, then waited in the pause: one check at a time (1 s, 1.5 s, 2.25 s apart).
		expect(server.downtime?.requests).toBeGreaterThanOrEqual(3);
		expect(server.downtime?.requests).toBeLessThanOrEqual(8);
		expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
		// Once the server was back, one upload reached it, and one batch was created in all.
		const afterOutage = server.requests.filter((r) => r.at >= server.downtime!.from! + 4_000);
		expect(afterOutage.filter((r) => r.method === 'POST' && r.path === '/files')).toHaveLength(1);
		expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/batches')).toHaveLength(1);
	});

	test('while polling (503): the wait rides it out, with a handful of checks', async () => {
		server.batchScript = { stepMs: 1_500 };
		const pending = batchRun(3, { requestSettings: { ...DEFAULT_RETRY, timeoutSeconds: 5 }, waiting: { pollSeconds: 1, maxWaitMinutes: 1 } });
		while (!server.requests.some((r) => r.method === 'POST' && r.path === '/batches')) await sleep(20);
		server.outage({ mode: '503', ms: 4_000, now: true });
		const run = await pending;
		expect(run.error).toBeUndefined();
		expect(run.output[0].map((item) => item.json.content)).toEqual(['Echo: item-0', 'Echo: item-1', 'Echo: item-2']);
		expect(server.downtime?.requests).toBeGreaterThanOrEqual(1);
		expect(server.downtime?.requests).toBeLessThanOrEqual(8);
		expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/batches')).toHaveLength(1);
	});
});

test('the spend cap counts the whole batch at batch prices before uploading', async () => {
	const run = await batchRun(100, { options: { maxTokens: 1000 }, requestSettings: { ...FAST_RETRY, maxSpendUsd: 0.01 } });
	expect(run.error?.message).toMatch(/^Request Settings: Max Spend per Execution \(USD\): not submitted: the 100 requests could cost up to \$0\.03/);
	expect(server.requests).toHaveLength(0);
	const fits = await batchRun(10, { options: { maxTokens: 1000 }, requestSettings: { ...FAST_RETRY, maxSpendUsd: 0.01 } });
	expect(fits.error).toBeUndefined();
});

test('duplicate Custom IDs are refused, naming the field', async () => {
	const run = await batchRun(3, { customId: 'same' });
	expect(run.error?.message).toBe('Custom ID: "same" is also the Custom ID of item 0; each item needs its own');
	expect(server.requests).toHaveLength(0);
});

test('cancelling the execution stops the wait at once', async () => {
	server.batchScript = { stepMs: 60_000 };
	const controller = new AbortController();
	const started = Date.now();
	void sleep(300).then(() => controller.abort());
	const run = await batchRun(2, { waiting: { pollSeconds: 30, maxWaitMinutes: 10 } }, { signal: controller.signal });
	expect(run.error).toBeDefined();
	expect(Date.now() - started).toBeLessThan(3000);
});

test('Max Wait ends the wait with the batch ID to collect later', async () => {
	server.batchScript = { stepMs: 60_000 };
	const run = await batchRun(2, { waiting: { pollSeconds: 1, maxWaitMinutes: 0.02 } });
	expect(run.error?.message).toMatch(/^Batch not finished within Max Wait/);
	expect(run.error?.description).toMatch(/Get Results operation/);
});

test("a submitted batch holds its worst case in the execution's spend until its results are read there", async () => {
	const { OpenAiReliableChat } = await import('../../nodes/OpenAiReliableChat/OpenAiReliableChat.node');
	const { freshProcessState } = await import('../support/setup');
	freshProcessState();
	const cap = 0.01;
	const settings = { ...FAST_RETRY, maxSpendUsd: cap };
	const executionId = 'batch-then-chat';
	// 20 requests × (about 12 + 1000 tokens) at batch prices: about $0.006 at most, of the $0.01 cap.
	const submitted = await execute(node, {
		items: items(20),
		executionId,
		keepProcessState: true,
		parameters: {
			operation: 'submit',
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			options: { maxTokens: 1000 },
			requestSettings: settings,
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(submitted.error).toBeUndefined();
	const held = submitted.output[0][0].json.maxCostUsd as number;
	expect(held).toBeGreaterThan(0.005);
	// A Chat node later in the same execution: 4 items that could cost about $0.0048 each at standard prices, more than the $0.004 left.
	const chat = (id: string) =>
		execute(new OpenAiReliableChat(), {
			items: items(4),
			executionId: id,
			keepProcessState: true,
			continueOnFail: true,
			parameters: {
				model: { mode: 'id', value: 'gpt-4o-mini' },
				prompt: (_: number, item: { text?: unknown }) => item.text,
				options: { maxTokens: 8000 },
				requestSettings: settings,
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});
	const after = await chat(executionId);
	const notSent = after.output[0].filter((item) => item.json.notSent === true);
	expect(notSent.length).toBeGreaterThan(0);
	expect(String(notSent[0].json.error)).toMatch(/held by batches still running/);
	// Another execution has its own total: nothing held there.
	expect((await chat('another-execution')).output[0].every((item) => item.json.content !== undefined)).toBe(true);
	// Once Get Results reads the batch in this execution, its real (much smaller) cost replaces the hold.
	await sleep(600);
	const collected = await execute(node, {
		items: [{ batchId: submitted.output[0][0].json.batchId }],
		executionId,
		keepProcessState: true,
		parameters: { operation: 'getResults', batchId: (_: number, item: { batchId?: unknown }) => item.batchId, requestSettings: FAST_RETRY },
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	expect(collected.output[0]).toHaveLength(20);
	expect((await chat(executionId)).output[0].every((item) => item.json.content !== undefined)).toBe(true);
});

test('Submit and Wait lets go of the hold once its results are in', async () => {
	const { freshProcessState } = await import('../support/setup');
	freshProcessState();
	const executionId = 'submit-and-wait-then-more';
	const settings = { ...FAST_RETRY, maxSpendUsd: 0.01 };
	const again = () =>
		execute(node, {
			items: items(20),
			executionId,
			keepProcessState: true,
			parameters: {
				operation: 'submitAndWait',
				model: { mode: 'list', value: 'gpt-4o-mini' },
				prompt: (_: number, item: { text?: unknown }) => item.text,
				options: { maxTokens: 1000 },
				requestSettings: settings,
				waiting: { pollSeconds: 1, maxWaitMinutes: 1 },
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});
	// Each run's worst case is about $0.006 of the $0.01 cap; its billed cost is far less.
	expect((await again()).error).toBeUndefined();
	expect((await again()).error).toBeUndefined();
});

describe('Submit now, Get Results later', () => {
	test('Not Ready while running, then Done with results in submitted order and their Custom IDs', async () => {
		server.batchScript = { stepMs: 300 };
		const input = Array.from({ length: 6 }, (_, i) => ({ text: `row ${i}`, row: 100 + i }));
		const submitted = await batchRun(6, { operation: 'submit', customId: (_: number, item: { row?: number }) => `row-${item.row}` }, { input });
		expect(submitted.error).toBeUndefined();
		const batch = submitted.output[0][0];
		expect(batch.json).toMatchObject({ status: 'validating', requests: 6, part: 1, parts: 1 });
		expect(batch.pairedItem).toHaveLength(6);
		const get = (batchId: IDataObject[string]) =>
			execute(node, {
				items: [{ batchId }],
				parameters: { operation: 'getResults', batchId: (_: number, item: { batchId?: unknown }) => item.batchId, requestSettings: FAST_RETRY },
				credentials: { openAiReliableApi: apiCredential(server) },
			});
		const early = await get(batch.json.batchId);
		expect(early.output[0]).toHaveLength(0);
		expect(early.output[1][0].json).toMatchObject({ batchId: batch.json.batchId, status: expect.stringMatching(/validating|in_progress/) });
		await sleep(1000);
		const done = await get(batch.json.batchId);
		expect(done.output[1]).toHaveLength(0);
		expect(done.output[0].map((item) => [item.json.customId, item.json.content, item.json.position])).toEqual(
			input.map((row, i) => [`row-${row.row}`, `Echo: row ${i}`, i]),
		);
		expect(done.output[0].every((item) => (item.json.costUsd as number) > 0)).toBe(true);
	});

	test('Get Status, Cancel and List', async () => {
		server.batchScript = { stepMs: 60_000 };
		const submitted = await batchRun(2, { operation: 'submit' });
		const batchId = submitted.output[0][0].json.batchId;
		const run = (operation: string) =>
			execute(node, {
				items: [{ batchId }],
				parameters: { operation, batchId, requestSettings: FAST_RETRY },
				credentials: { openAiReliableApi: apiCredential(server) },
			});
		expect((await run('getStatus')).output[0][0].json).toMatchObject({ batchId, status: 'validating', progress: '0 of 2 done' });
		expect((await run('cancel')).output[0][0].json).toMatchObject({ batchId, status: 'cancelling' });
		const listed = await run('list');
		expect(listed.output[0].map((item) => item.json.batchId)).toContain(batchId);
		expect(JSON.stringify([submitted.output, listed.output])).not.toContain(PROJECT_KEY);
	});
});

test('lines are split where one batch would pass OpenAI limits', () => {
	const line = (i: number, size: number) => ({ itemIndex: i, customId: `item-${i}`, text: 'x'.repeat(size), request: {} }) as unknown as BatchLine;
	const byCount = splitLines(
		Array.from({ length: 7 }, (_, i) => line(i, 10)),
		{ requests: 3, bytes: 1e9 },
	);
	expect(byCount.map((file) => file.map((l) => l.itemIndex))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
	const bySize = splitLines(
		Array.from({ length: 5 }, (_, i) => line(i, 40)),
		{ requests: 100, bytes: 100 },
	);
	expect(bySize.map((file) => file.length)).toEqual([2, 2, 1]);
});

test("the batch's billed cost joins the execution's spend: openaiCostUsd and the output pane", async () => {
	const run = await batchRun(5);
	const total = run.output[0].reduce((sum, item) => sum + (item.json.costUsd as number), 0);
	expect(Number(run.test.customData.openaiCostUsd)).toBeCloseTo(total, 9);
});

test("Estimate Cost prices the Batch node's answers at the batch tier, as they came", async () => {
	const { OpenAiReliableUsage } = await import('../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node');
	const run = await batchRun(3);
	const estimated = await execute(new OpenAiReliableUsage(), {
		items: run.output[0].map((item) => item.json),
		parameters: { operation: 'estimateCost' },
	});
	expect(estimated.error).toBeUndefined();
	estimated.output[0].forEach((item, i) => expect(item.json.costUsd).toBeCloseTo(run.output[0][i].json.costUsd as number, 12));
});

test.each([
	['vLLM-style 404', { detail: 'Not Found' }],
	['OpenAI-style 404', { error: { message: 'Invalid URL (POST /v1/files)', type: 'invalid_request_error', param: null, code: null } }],
])('a server without the Batch API (%s): the error names the missing API and suggests the Chat node, one request', async (_, body) => {
	server.script({ match: (r) => r.path === '/files', respond: { status: 404, body } });
	const run = await batchRun(5);
	expect(run.error?.message).toMatch(/^The server at 127\.0\.0\.1:\d+ has no Batch API: \/files answered HTTP 404$/);
	expect(run.error?.description).toMatch(/^Many OpenAI-compatible servers .* Use the OpenAI Reliable Chat node instead/);
	expect(paths()).toEqual(['POST /files']);
});

test('API Responses: every line goes to /v1/responses, the batch calls that endpoint, and the answers are read as Responses at half the price', async () => {
	const run = await batchRun(4, { api: 'responses', systemMessage: 'Be brief.', options: { maxTokens: 50 } });
	expect(run.error).toBeUndefined();
	const create = server.requests.find((r) => r.method === 'POST' && r.path === '/batches')!;
	expect((create.body as Record<string, unknown>).endpoint).toBe('/v1/responses');
	const lines = uploadedLines(server);
	expect(lines.map((line) => line.url)).toEqual(Array(4).fill('/v1/responses'));
	expect(lines[0].body).toMatchObject({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: [{ role: 'user', content: 'item-0' }], max_output_tokens: 50 });
	run.output[0].forEach((item, i) => {
		expect(item.json).toMatchObject({ content: `Echo: item-${i}`, finishReason: 'stop', serviceTier: 'batch', costUsd: expect.any(Number) });
		const tokens = ((item.json.promptTokens as number) * 0.15 + (item.json.completionTokens as number) * 0.6) / 1e6;
		expect(item.json.costUsd as number).toBeCloseTo(tokens / 2, 12);
	});
});

test('API Responses: a Response that stopped early (content filter) is its own item error with what it cost; the others are answered', async () => {
	server.batchScript = { incomplete: ['item-1'] };
	const run = await batchRun(3, { api: 'responses' }, { continueOnFail: true });
	expect(run.error).toBeUndefined();
	const [first, second, third] = run.output[0];
	expect(first.json).toMatchObject({ content: 'Echo: item-0', serviceTier: 'batch' });
	expect(third.json).toMatchObject({ content: 'Echo: item-2' });
	expect(second.json.error).toMatch(/^The answer is incomplete: content_filter/);
	expect(second.json).toMatchObject({ costUsd: expect.any(Number), finishReason: 'content_filter', batchId: expect.any(String) });
	expect(second.pairedItem).toEqual({ item: 1 });
});
