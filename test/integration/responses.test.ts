/**
 * The Chat node on the Responses API: which API Auto picks, the same output fields whichever
 * answers, built-in tools with their fees in the cost and in the spend cap, and the options
 * Responses has and has not.
 */
import { sleep } from 'n8n-workflow';

import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { TOOL_FEES } from '../../nodes/shared/pricing/prices';
import { apiCredential, execute, FAST_RETRY, items, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;

beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function run(count: number, extra: Record<string, unknown> = {}, typeVersion = 2) {
	return execute(node, {
		items: items(count),
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: FAST_RETRY,
			...extra,
		},
		credentials: { openAiReliableApi: apiCredential(server) },
		typeVersion,
	});
}

const paths = () => server.requests.map((r) => r.path);

/** One item per prompt through API Responses, with Continue On Fail. */
function runOnResponses(prompts: string[]) {
	return execute(node, {
		items: prompts.map((text) => ({ text })),
		continueOnFail: true,
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			api: 'responses',
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: FAST_RETRY,
		},
		credentials: { openAiReliableApi: apiCredential(server) },
		typeVersion: 2,
	});
}

test('Auto (version 2) sends a chat model to Chat Completions, with the same fields as before', async () => {
	const out = await run(2);
	expect(out.error).toBeUndefined();
	expect(paths()).toEqual(['/chat/completions', '/chat/completions']);
	expect(out.output[0][0].json.content).toBe('Echo: item-0');
	expect(out.output[0][0].json.responseId).toBeUndefined();
});

test('a Responses-only model answers through Auto, with content, tokens, cost, request id and responseId', async () => {
	const out = await run(3, { model: { mode: 'list', value: 'gpt-5-pro' }, systemMessage: 'Be brief.', options: { maxTokens: 200, background: false } });
	expect(out.error).toBeUndefined();
	expect(paths()).toEqual(['/responses', '/responses', '/responses']);
	out.output[0].forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json).toMatchObject({
			content: `Echo: item-${i}`,
			finishReason: 'stop',
			model: 'gpt-5-pro',
			promptTokens: expect.any(Number),
			completionTokens: expect.any(Number),
			costUsd: expect.any(Number),
			requestId: expect.any(String),
			retries: 0,
			responseId: expect.stringMatching(/^resp_/),
		});
	});
	const body = server.requests[0].body as Record<string, unknown>;
	expect(body).toMatchObject({ model: 'gpt-5-pro', instructions: 'Be brief.', max_output_tokens: 200, input: [{ role: 'user', content: 'item-0' }] });
	expect(body.messages).toBeUndefined();
});

test('version 1 keeps Chat Completions by default; API Responses sends a Responses-only model there', async () => {
	const chat = await run(1, {}, 1);
	expect(chat.error).toBeUndefined();
	expect(paths()).toEqual(['/chat/completions']);
	server.reset();
	const answered = await run(1, { model: { mode: 'list', value: 'gpt-5-pro' }, api: 'responses', options: { background: false } }, 1);
	expect(answered.error).toBeUndefined();
	expect(paths()).toEqual(['/responses']);
});

test('web search gives sources and a cost that includes its fee', async () => {
	const out = await run(2, {
		builtinTools: { webSearch: true, searchContextSize: 'low', allowedDomains: 'docs.n8n.io, openai.com' },
		options: { maxTokens: 100 },
	});
	expect(out.error).toBeUndefined();
	expect(paths()).toEqual(['/responses', '/responses']);
	const item = out.output[0][0].json;
	expect(item.sources).toEqual([
		{ title: 'Community nodes | n8n Docs', url: 'https://docs.n8n.io/integrations/community-nodes/' },
		{ title: 'Web search - OpenAI API', url: 'https://platform.openai.com/docs/guides/tools-web-search' },
	]);
	expect(item.toolCalls).toEqual({ web_search: 1 });
	expect(item.toolFeesUsd).toBe(TOOL_FEES.web_search.usdPerCall);
	const tokensUsd = ((item.promptTokens as number) * 0.15 + (item.completionTokens as number) * 0.6) / 1e6;
	expect(item.costUsd as number).toBeCloseTo(tokensUsd + TOOL_FEES.web_search.usdPerCall, 9);
	expect(server.requests[0].body).toMatchObject({
		tools: [{ type: 'web_search', search_context_size: 'low', filters: { allowed_domains: ['docs.n8n.io', 'openai.com'] } }],
	});
	// No cap: no max_tool_calls is imposed.
	expect((server.requests[0].body as Record<string, unknown>).max_tool_calls).toBeUndefined();
});

test('file search and code interpreter: matched files, fees per call and per container', async () => {
	const out = await run(1, { builtinTools: { vectorStoreIds: 'vs_one, vs_two', fileSearchMaxResults: 3, codeInterpreter: true, maxToolCalls: 4 } });
	expect(out.error).toBeUndefined();
	const item = out.output[0][0].json;
	expect(item.files).toEqual([{ fileId: 'file-mockhandbook', filename: 'handbook.pdf' }]);
	expect(item.toolCalls).toEqual({ file_search: 1, code_interpreter: 1 });
	expect(item.toolFeesUsd).toBeCloseTo(TOOL_FEES.file_search.usdPerCall + TOOL_FEES.code_interpreter.usdPerCall, 10);
	expect(server.requests[0].body).toMatchObject({
		tools: [
			{ type: 'file_search', vector_store_ids: ['vs_one', 'vs_two'], max_num_results: 3 },
			{ type: 'code_interpreter', container: { type: 'auto' } },
		],
		max_tool_calls: 4,
	});
});

test('the spend cap counts tool fees: no request sent whose worst case, tools included, could pass it', async () => {
	const cap = 0.05;
	const out = await run(10, {
		builtinTools: { webSearch: true, maxToolCalls: 1 },
		options: { maxTokens: 100 },
		requestSettings: { ...FAST_RETRY, maxSpendUsd: cap, concurrency: 1 },
	});
	const answered = out.output[0].filter((item) => item.json.content !== undefined && !item.json.error);
	const billed = answered.reduce((sum, item) => sum + (item.json.costUsd as number), 0);
	expect(billed).toBeLessThanOrEqual(cap);
	// Each answer costs about $0.0102 (a search and its content): four fit, the fifth's worst case would not.
	expect(answered.length).toBeGreaterThanOrEqual(3);
	expect(answered.length).toBeLessThan(10);
	expect(server.requests.length).toBe(answered.length);
	expect(server.requests.every((r) => (r.body as Record<string, unknown>).max_tool_calls === 1)).toBe(true);
	const refused = out.error ?? out.output[0].find((item) => item.json.error)?.json.error;
	expect(String(refused && (typeof refused === 'object' && 'message' in refused ? refused.message : refused))).toMatch(/Max Spend per Execution|spend cap/i);
});

test('with a cap and no Max Tool Calls, a default of 5 is sent so the fees have a bound', async () => {
	const out = await run(1, { builtinTools: { webSearch: true }, options: { maxTokens: 100 }, requestSettings: { ...FAST_RETRY, maxSpendUsd: 5 } });
	expect(out.error).toBeUndefined();
	expect((server.requests[0].body as Record<string, unknown>).max_tool_calls).toBe(5);
});

test('API Chat Completions with a built-in tool, and Responses with a Chat-only option, are errors naming the field; nothing is sent', async () => {
	const tools = await run(1, { api: 'chatCompletions', builtinTools: { webSearch: true } });
	expect(String(tools.error?.message)).toMatch(/^Built-in Tools: web_search run only on the Responses API/);
	const stop = await run(1, { api: 'responses', options: { stop: 'END' } });
	expect(String(stop.error?.message)).toMatch(/^Stop Sequences: the Responses API has no such option/);
	expect(server.requests).toHaveLength(0);
});

test('Previous Response ID, Store and Reasoning Summary go to Responses; the summary comes out', async () => {
	const out = await run(1, {
		model: { mode: 'list', value: 'o3' },
		prompt: '',
		options: { previousResponseId: 'resp_earlier', store: false, reasoningSummary: 'concise', reasoningEffort: 'low' },
	});
	expect(out.error).toBeUndefined();
	expect(server.requests[0].path).toBe('/responses');
	expect(server.requests[0].body).toMatchObject({ previous_response_id: 'resp_earlier', store: false, reasoning: { effort: 'low', summary: 'concise' } });
	expect(out.output[0][0].json.reasoningSummary).toBe('Read the question, then answered it.');
});

test('an answer cut off at Max Tokens keeps its partial text and cost (finishReason length)', async () => {
	const out = await run(1, { api: 'responses', prompt: 'one two three four five six seven eight nine ten eleven twelve', options: { maxTokens: 3 } });
	expect(out.error).toBeUndefined();
	expect(out.output[0][0].json).toMatchObject({ finishReason: 'length', completionTokens: 3, costUsd: expect.any(Number) });
	expect(String(out.output[0][0].json.content).length).toBeGreaterThan(0);
});

test('a failed answer and one stopped by the content filter are item errors with what they cost; the others are answered, once each', async () => {
	const prompts = ['fine', 'bad [filtered]', 'broken [fails]', 'also fine'];
	const out = await runOnResponses(prompts);
	expect(out.error).toBeUndefined();
	const [fine, filtered, failed, alsoFine] = out.output[0].map((item) => item.json);
	expect(fine).toMatchObject({ content: 'Echo: fine' });
	expect(alsoFine).toMatchObject({ content: 'Echo: also fine' });
	expect(filtered.error).toBe('The answer is incomplete: content_filter');
	expect(filtered.errorDescription).toMatch(/^OpenAI's content filter stopped the answer\. Rephrase the prompt\./);
	expect(filtered).toMatchObject({ costUsd: expect.any(Number), finishReason: 'content_filter' });
	expect(failed.error).toBe('OpenAI could not finish the answer: The model failed to generate a response. (server_error)');
	expect(failed).toMatchObject({ costUsd: expect.any(Number) });
	// Not sent again: the status is the answer, and it was billed.
	expect(server.requests.filter((r) => r.path === '/responses')).toHaveLength(4);
	expect(out.test.hints.map((h) => h.message).join(' ')).toBe(
		'4 items, $0.000014 in all. 2 items failed, the first with: The answer is incomplete: content_filter.',
	);
});

test('an error inside a 200 from /responses is never an empty answer: a server error is retried, a request error is the item error', async () => {
	const inside200 = (type: string, message: string) => ({ status: 200, body: { error: { message, type, param: null, code: null } } });
	const about = (text: string) => (r: { path: string; body?: unknown }) => r.path === '/responses' && JSON.stringify(r.body).includes(text);
	server.script({ match: about('item-0'), times: 1, respond: inside200('server_error', 'The engine is currently overloaded.') });
	server.script({ match: about('item-1'), respond: inside200('invalid_request_error', "Invalid value for 'input'.") });
	const out = await runOnResponses(['item-0', 'item-1']);
	const [first, second] = out.output[0].map((item) => item.json);
	expect(first).toMatchObject({ content: 'Echo: item-0', retries: 1 });
	expect(String(second.error)).toMatch(/rejected the request as invalid \(sent as an error inside an HTTP 200 answer\)$/);
	expect(`${String(second.error)} ${String(second.errorDescription)}`).toMatch(/Invalid value for 'input'/);
	expect(server.requests.filter(about('item-1'))).toHaveLength(1);
});

describe('background mode', () => {
	const pro = { mode: 'list', value: 'gpt-5-pro' };
	const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/responses');

	test('on by default for a -pro model: sent once, polled until done, priced at the end', async () => {
		server.backgroundMs = 800;
		const out = await run(2, { model: pro, options: { maxTokens: 100 } });
		expect(out.error).toBeUndefined();
		expect(posts()).toHaveLength(2);
		expect(posts().every((r) => (r.body as Record<string, unknown>).background === true)).toBe(true);
		expect(server.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/responses/')).length).toBeGreaterThanOrEqual(2);
		out.output[0].forEach((item, i) => {
			expect(item.json).toMatchObject({
				content: `Echo: item-${i}`,
				finishReason: 'stop',
				responseId: expect.stringMatching(/^resp_/),
				costUsd: expect.any(Number),
			});
			expect(item.json.costUsd as number).toBeGreaterThan(0);
		});
	});

	test('connections dropped while polling are retried, and the request is never sent twice', async () => {
		server.backgroundMs = 600;
		server.script({ match: (r) => r.method === 'GET' && r.path.startsWith('/responses/'), times: 3, respond: { resetBeforeAnswer: true } });
		const out = await run(1, { model: pro, options: { maxTokens: 100 } });
		expect(out.error).toBeUndefined();
		expect(posts()).toHaveLength(1);
		expect(out.output[0][0].json.content).toBe('Echo: item-0');
		expect(out.output[0][0].json.retries).toBeGreaterThanOrEqual(1);
	});

	test('stopping the execution cancels the response at OpenAI', async () => {
		server.backgroundMs = 60_000;
		const controller = new AbortController();
		void sleep(700).then(() => controller.abort());
		const started = Date.now();
		const out = await execute(node, {
			items: items(1),
			parameters: { model: pro, prompt: 'long', requestSettings: { ...FAST_RETRY, timeoutSeconds: 60 } },
			credentials: { openAiReliableApi: apiCredential(server) },
			typeVersion: 2,
			signal: controller.signal,
		});
		expect(Date.now() - started).toBeLessThan(3000);
		expect(out.error ?? out.output[0][0].json.error).toBeDefined();
		const cancels = server.requests.filter((r) => r.method === 'POST' && /^\/responses\/resp_\w+\/cancel$/.test(r.path));
		expect(cancels).toHaveLength(1);
		expect(cancels[0].cancelled).toBe(true);
	});

	test('the Timeout bounds the whole wait: the error names the response and the time, and the response is cancelled', async () => {
		server.backgroundMs = 60_000;
		const out = await run(1, { model: pro, requestSettings: { ...FAST_RETRY, timeoutSeconds: 2 } });
		expect(String(out.error?.message)).toMatch(/^The background answer resp_\w+ was not ready within the Timeout: waited \d+ s/);
		expect(String(out.error?.description)).toMatch(/Response ID: resp_/);
		expect(server.requests.filter((r) => r.path.endsWith('/cancel'))).toHaveLength(1);
	});

	test('Background Mode with Store off, or on Chat Completions, is an error naming the field', async () => {
		const store = await run(1, { model: pro, options: { background: true, store: false } });
		expect(String(store.error?.message)).toMatch(/^Background Mode: OpenAI must store a background response/);
		const chat = await run(1, { api: 'chatCompletions', options: { background: true } });
		expect(String(chat.error?.message)).toMatch(/^Background Mode: it works only on the Responses API/);
		expect(server.requests).toHaveLength(0);
	});

	test('a model that answers fast stays in the foreground unless asked', async () => {
		await run(1, { api: 'responses' });
		expect((server.requests[0].body as Record<string, unknown>).background).toBeUndefined();
	});
});
