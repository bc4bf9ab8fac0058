/**
 * The Chat Model sub-node through n8n's AI SDK and LangChain, as the AI Agent calls it:
 * answers, tool calls (also parallel, also streamed), retries before the first token,
 * errors, the spend cap, and each call's figures in the sub-node's run data.
 */
// The test drives the model the way n8n's AI Agent does, through LangChain (a devDependency
// brought by @n8n/ai-node-sdk); the package itself never imports it.
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
// eslint-disable-next-line @n8n/community-nodes/no-restricted-imports
import { DynamicStructuredTool } from '@langchain/core/tools';
import type { ISupplyDataFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { costOfUsage } from '../../nodes/shared/pricing/prices';
import { OpenAiReliableChatModel } from '../../nodes/OpenAiReliableChatModel/OpenAiReliableChatModel.node';
import { leaks } from '../reliability/helpers';
import { createContext, type TestContext } from '../support/n8nContext';
import { apiCredential, DEFAULT_RETRY, freshProcessState, PROJECT_KEY, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChatModel();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	freshProcessState();
	server.options.loopTools = false;
});

interface LangChainModel {
	invoke(messages: BaseMessage[]): Promise<AIMessage>;
	stream(messages: BaseMessage[]): Promise<AsyncIterable<AIMessageChunk>>;
	bindTools(tools: unknown[]): LangChainModel;
}

async function model(parameters: Record<string, unknown> = {}): Promise<{ lc: LangChainModel; test: TestContext }> {
	const test = createContext({
		node,
		parameters: { model: { mode: 'list', value: 'gpt-4o-mini' }, requestSettings: { maxWaitSeconds: 0.05, maxRetries: 3 }, ...parameters },
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	const supplied = await node.supplyData.call(test.ctx as unknown as ISupplyDataFunctions, 0);
	return { lc: supplied.response as LangChainModel, test };
}

/** A whole stream: its text pieces as they came, and the chunks merged into one message. */
async function collect(stream: Promise<AsyncIterable<AIMessageChunk>>): Promise<{ pieces: string[]; merged: AIMessageChunk }> {
	const pieces: string[] = [];
	let merged: AIMessageChunk | undefined;
	for await (const chunk of await stream) {
		if (typeof chunk.text === 'string' && chunk.text) pieces.push(chunk.text);
		merged = merged ? merged.concat(chunk) : chunk;
	}
	return { pieces, merged: merged! };
}

const calculator = new DynamicStructuredTool({
	name: 'calculator',
	description: 'Evaluates an arithmetic expression',
	schema: z.object({ input: z.string().describe('the expression') }),
	func: async ({ input }) => String(input),
});

const rateLimited = {
	status: 429,
	headers: { 'retry-after-ms': '5', 'x-ratelimit-remaining-requests': '500', 'x-ratelimit-limit-requests': '600' },
	body: { error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
};

describe('generate', () => {
	test("answers, with usage for n8n and the call's cost in the sub-node's run data", async () => {
		const { lc, test } = await model();
		const answer = await lc.invoke([new HumanMessage('hello there')]);
		expect(answer.content).toEqual([{ type: 'text', text: 'Echo: hello there' }]);
		expect(answer.usage_metadata).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
		const output = test.aiRunData.find((entry) => entry.kind === 'output')!.data as Array<Array<{ json: Record<string, unknown> }>>;
		expect(output[0][0].json).toMatchObject({
			costUsd: expect.any(Number),
			cost: expect.stringMatching(/^\$0\.0/),
			executionCostUsd: expect.any(Number),
			requestId: expect.stringMatching(/^req_/),
			retries: 0,
			tokenUsage: expect.objectContaining({ promptTokens: expect.any(Number) }),
		});
		expect(Number(test.customData.openaiCostUsd)).toBeGreaterThan(0);
	});

	test("the node's options and the call's own settings reach the request", async () => {
		const { lc } = await model({ options: { temperature: 0.3, maxTokens: 50, responseFormat: 'json_object' } });
		await lc.invoke([new HumanMessage('json please')]);
		expect(server.requests[0].body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, max_tokens: 50, response_format: { type: 'json_object' } });
	});

	test("the Agent's stop sequences reach the request; more than four is an error naming them", async () => {
		const { lc } = await model();
		await (lc as unknown as { invoke(m: BaseMessage[], o: unknown): Promise<AIMessage> }).invoke([new HumanMessage('stop here')], { stop: ['Observation:'] });
		expect(server.requests[0].body.stop).toEqual(['Observation:']);
		server.reset();
		const call = (lc as unknown as { invoke(m: BaseMessage[], o: unknown): Promise<AIMessage> }).invoke([new HumanMessage('too many')], {
			stop: ['a', 'b', 'c', 'd', 'e'],
		});
		await expect(call).rejects.toThrow(/Stop Sequences \(from the Agent\)/);
		expect(server.requests).toHaveLength(0);
	});

	test('a 429 is retried inside the call; an answered call is never sent again', async () => {
		server.script({ match: () => true, times: 2, respond: rateLimited });
		const { lc, test } = await model();
		const answer = await lc.invoke([new HumanMessage('retry me')]);
		expect(answer.content).toEqual([{ type: 'text', text: 'Echo: retry me' }]);
		expect(server.requests.filter((r) => r.outcome === 'completion')).toHaveLength(1);
		const output = test.aiRunData.find((entry) => entry.kind === 'output')!.data as Array<Array<{ json: Record<string, unknown> }>>;
		expect(output[0][0].json.retries).toBe(2);
	});

	test('no credit: the billing message, one request, and the key nowhere', async () => {
		server.script({
			match: () => true,
			respond: {
				status: 429,
				body: { error: { message: `You exceeded your current quota for ${PROJECT_KEY}`, type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
			},
		});
		const { lc, test } = await model();
		const error = await lc.invoke([new HumanMessage('anything')]).catch((e: Error) => e);
		expect(String((error as Error).message)).toMatch(/no credit left/);
		expect(server.requests).toHaveLength(1);
		expect(leaks({ output: [], error: error as never, test })).toEqual([]);
	});
});

describe('tools', () => {
	test('a tool call comes back as a tool call, and its result goes back as a tool message', async () => {
		const { lc } = await model();
		const withTools = lc.bindTools([calculator]);
		const first = await withTools.invoke([new HumanMessage('calc 6*7')]);
		expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'calculator', args: { input: '6*7' } })]);
		const sentTools = server.requests[0].body.tools;
		expect(sentTools).toEqual([
			{
				type: 'function',
				function: expect.objectContaining({
					name: 'calculator',
					description: 'Evaluates an arithmetic expression',
					parameters: expect.objectContaining({ type: 'object', properties: { input: expect.objectContaining({ type: 'string' }) } }),
				}),
			},
		]);
		const second = await withTools.invoke([new HumanMessage('calc 6*7'), first, new ToolMessage({ content: '42', tool_call_id: first.tool_calls![0].id! })]);
		expect(second.content).toEqual([{ type: 'text', text: 'Final: 42' }]);
		const messages = server.requests[1].body.messages;
		expect(messages[1]).toMatchObject({
			role: 'assistant',
			content: null,
			tool_calls: [{ id: first.tool_calls![0].id, type: 'function', function: { name: 'calculator' } }],
		});
		expect(messages[2]).toEqual({ role: 'tool', tool_call_id: first.tool_calls![0].id, content: '42' });
	});

	test('parallel tool calls stay two calls, also when streamed', async () => {
		const { lc } = await model();
		const withTools = lc.bindTools([calculator]);
		const plain = await withTools.invoke([new HumanMessage('parallel calc 1+1')]);
		expect(plain.tool_calls).toHaveLength(2);
		const { merged } = await collect(withTools.stream([new HumanMessage('parallel calc 2+2')]));
		expect(merged.tool_calls).toHaveLength(2);
		expect(merged.tool_calls!.map((call) => call.args)).toEqual([{ input: '2+2' }, { input: '2+2+1' }]);
		expect(new Set(merged.tool_calls!.map((call) => call.id)).size).toBe(2);
	});
});

describe('stream', () => {
	test('tokens arrive as they come, and the whole answer adds up, with usage', async () => {
		const { lc } = await model();
		const { pieces, merged } = await collect(lc.stream([new HumanMessage('stream this answer please')]));
		expect(pieces.length).toBeGreaterThan(2);
		expect(pieces.join('')).toBe('Echo: stream this answer please');
		expect(merged.usage_metadata).toMatchObject({ input_tokens: expect.any(Number) });
		expect(server.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
	});

	test('a 429 before the first token is retried', async () => {
		server.script({ match: () => true, times: 1, respond: rateLimited });
		const { lc } = await model();
		let text = '';
		for await (const chunk of await lc.stream([new HumanMessage('after a 429')])) text += chunk.text ?? '';
		expect(text).toBe('Echo: after a 429');
		expect(server.requests).toHaveLength(2);
	});

	test('a break after tokens arrived ends the stream with a clear error, and is not retried', async () => {
		server.script({ match: () => true, times: 1, respond: { breakStreamAfter: 3 } });
		const { lc } = await model();
		const error = await (async () => {
			for await (const chunk of await lc.stream([new HumanMessage('one two three four five six')])) void chunk;
		})().catch((e: Error) => e);
		expect(String((error as Error).message)).toMatch(/The answer stopped after it had begun/);
		expect(server.requests).toHaveLength(1);
	});
});

describe("an outage of 4 s (issue 28): the Agent's calls wait in the key's pause like the Chat node's items", () => {
	const defaults = { requestSettings: DEFAULT_RETRY };

	test.each(['503', 'reset'] as const)('%s: three calls at once are answered, with a handful of checks while down', async (mode) => {
		const { lc } = await model(defaults);
		server.outage({ mode, ms: 4_000 });
		const started = Date.now();
		const answers = await Promise.all(['one', 'two', 'three'].map(async (text) => await lc.invoke([new HumanMessage(text)])));
		expect(answers.map((answer) => answer.content)).toEqual(['one', 'two', 'three'].map((text) => [{ type: 'text', text: `Echo: ${text}` }]));
		expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
		// The three failures that began the pause, then one check at a time (1 s, 1.5 s, 2.25 s apart).
		expect(server.downtime?.requests).toBeGreaterThanOrEqual(3);
		expect(server.downtime?.requests).toBeLessThanOrEqual(8);
	});

	test('503, streamed: the stream waits before its first token and then streams the answer', async () => {
		const { lc } = await model(defaults);
		server.outage({ mode: '503', ms: 4_000 });
		const { merged } = await collect(lc.stream([new HumanMessage('streamed')]));
		expect(merged.text).toBe('Echo: streamed');
		expect(server.downtime?.requests).toBeLessThanOrEqual(8);
	});
});

test('the spend cap stops an Agent whose tools loop', async () => {
	server.options.loopTools = true;
	const { lc } = await model({ options: { maxTokens: 20 }, requestSettings: { maxSpendUsd: 0.0002, maxWaitSeconds: 0.05 } });
	const withTools = lc.bindTools([calculator]);
	const history: BaseMessage[] = [new HumanMessage('calc 1+1')];
	let error: Error | undefined;
	for (let turn = 0; turn < 50 && !error; turn++) {
		try {
			const answer = await withTools.invoke(history);
			history.push(answer, new ToolMessage({ content: '2', tool_call_id: answer.tool_calls![0].id! }));
		} catch (e) {
			error = e as Error;
		}
	}
	expect(error?.message).toMatch(/^Not sent: this execution's spend cap of \$0\.0002 was reached/);
	// The loop ran for a while, then the cap stopped it; what was billed stays within the cap.
	expect(server.requests.length).toBeGreaterThan(3);
	expect(server.requests.length).toBeLessThan(50);
	const billed = server.requests.reduce((sum, r) => sum + (costOfUsage('gpt-4o-mini', r.usage)?.totalUsd ?? 0), 0);
	expect(billed).toBeLessThanOrEqual(0.0002);
});

test('an image the Agent passes goes as an image part, and its tokens count toward the spend cap', async () => {
	const { png } = await import('../support/files');
	// A standard image block, as n8n's AI SDK passes images on (it drops LangChain's older image_url blocks).
	const message = () =>
		new HumanMessage({
			content: [
				{ type: 'text', text: 'What is this?' },
				{ type: 'image', mimeType: 'image/png', data: png(1024, 1024).toString('base64') },
			],
		});
	const { lc } = await model({ options: { maxTokens: 10 } });
	const answer = await lc.invoke([message()]);
	expect(JSON.stringify(answer.content)).toContain('Echo: What is this? [image/png]');
	// gpt-4o-mini bills a 1024×1024 image (auto = high) as 25,501 tokens: $0.0038. A cap of $0.002 fits the text alone.
	const capped = await model({ options: { maxTokens: 10 }, requestSettings: { maxWaitSeconds: 0.05, maxSpendUsd: 0.002 } });
	await expect(capped.lc.invoke([message()])).rejects.toThrow(/Not sent: this execution's spend cap/);
	expect(server.requests).toHaveLength(1);
});

describe('on the Responses API', () => {
	const responses = { api: 'responses' };

	test('a tool round trip: the function call, its result as a function_call_output, the final answer, with web search and its fee', async () => {
		const { lc, test } = await model({ ...responses, builtinTools: { webSearch: true, maxToolCalls: 2 } });
		const withTools = lc.bindTools([calculator]);
		const first = await withTools.invoke([new HumanMessage('calc 6*7')]);
		expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'calculator', args: { input: '6*7' } })]);
		const callId = first.tool_calls![0].id!;
		const second = await withTools.invoke([new HumanMessage('calc 6*7'), first, new ToolMessage({ content: '42', tool_call_id: callId })]);
		expect(second.content).toEqual([{ type: 'text', text: 'Final: 42' }]);
		expect(server.requests.map((r) => r.path)).toEqual(['/responses', '/responses']);
		const body = server.requests[1].body as { input: Array<Record<string, unknown>>; tools: Array<Record<string, unknown>>; max_tool_calls: number };
		expect(body.input).toEqual([
			{ role: 'user', content: 'calc 6*7' },
			expect.objectContaining({ type: 'function_call', call_id: callId, name: 'calculator' }),
			{ type: 'function_call_output', call_id: callId, output: '42' },
		]);
		expect(body.tools.map((t) => t.type)).toEqual(['function', 'web_search']);
		expect(body.max_tool_calls).toBe(2);
		const output = test.aiRunData.filter((entry) => entry.kind === 'output').map((e) => (e.data as Array<Array<{ json: Record<string, unknown> }>>)[0][0].json);
		// Each call's cost includes its search fee ($0.01).
		for (const figures of output) expect(figures.costUsd as number).toBeGreaterThan(0.01);
	});

	test('streamed: text from response.output_text.delta, tool calls from argument deltas, usage from response.completed', async () => {
		const { lc } = await model(responses);
		const { pieces, merged } = await collect(lc.stream([new HumanMessage('stream this answer please')]));
		expect(pieces.length).toBeGreaterThan(2);
		expect(pieces.join('')).toBe('Echo: stream this answer please');
		expect(merged.usage_metadata).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
		expect(server.requests[0]).toMatchObject({ path: '/responses', body: { stream: true } });
		const { merged: call } = await collect(lc.bindTools([calculator]).stream([new HumanMessage('calc 3*3')]));
		expect(call.tool_calls).toEqual([expect.objectContaining({ name: 'calculator', args: { input: '3*3' } })]);
	});

	test('background mode (the default for a -pro model): each call sent once and polled, a dropped poll retried; streamed, the answer arrives whole', async () => {
		server.backgroundMs = 1200;
		server.script({ match: (r) => r.method === 'GET' && r.path.startsWith('/responses/'), times: 1, respond: { resetBeforeAnswer: true } });
		const { lc, test } = await model({ model: { mode: 'list', value: 'o3-pro' }, api: 'auto' });
		const withTools = lc.bindTools([calculator]);
		const first = await withTools.invoke([new HumanMessage('calc 6*7')]);
		expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'calculator', args: { input: '6*7' } })]);
		const posts = () => server.requests.filter((r) => r.method === 'POST');
		expect(posts()).toHaveLength(1);
		expect(posts()[0].body).toMatchObject({ background: true });
		expect(server.requests.filter((r) => r.method === 'GET' && r.outcome === 'reset')).toHaveLength(1);
		let text = '';
		for await (const chunk of await lc.stream([new HumanMessage('think long')])) text += chunk.text ?? '';
		expect(text).toBe('Echo: think long');
		expect(posts()).toHaveLength(2);
		expect(posts()[1].body).toMatchObject({ background: true });
		expect(posts()[1].body).not.toHaveProperty('stream');
		const output = test.aiRunData.filter((entry) => entry.kind === 'output');
		expect(output).toHaveLength(2);
	});

	test('Background Mode off sends and waits as usual; on with Store off is an error naming both', async () => {
		const { lc } = await model({ model: { mode: 'list', value: 'o3-pro' }, api: 'auto', options: { background: false } });
		await lc.invoke([new HumanMessage('at once')]);
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].body).not.toHaveProperty('background');
		await expect(model({ api: 'responses', options: { background: true, store: false } })).rejects.toThrow(/^Background Mode: .*Store is off/);
	});

	test('a 429 before the first event is retried; API Chat Completions with a built-in tool is an error naming it', async () => {
		server.script({ match: () => true, times: 1, respond: rateLimited });
		const { lc } = await model(responses);
		let text = '';
		for await (const chunk of await lc.stream([new HumanMessage('after a 429')])) text += chunk.text ?? '';
		expect(text).toBe('Echo: after a 429');
		await expect(model({ builtinTools: { webSearch: true } })).rejects.toThrow(/^Built-in Tools: web_search run only on the Responses API/);
	});
});
