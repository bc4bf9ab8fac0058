/**
 * The transport's requests and the mock server's answers, checked against OpenAI's
 * official OpenAPI spec, so neither can drift from the real API.
 */
import { sleep } from 'n8n-workflow';

import { OpenAiReliableBatch } from '../../nodes/OpenAiReliableBatch/OpenAiReliableBatch.node';
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { binaryOf, pdf, png } from '../support/files';
import { adminCredential, apiCredential, execute, FAST_RETRY, items, startServer, uploadedLines, type MockServer } from '../support/setup';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const contract = require('../support/openapi-contract') as typeof import('../support/openapi-contract');

const spec = contract.loadSpec();
const suite = spec ? describe : describe.skip;
const title = spec ? 'OpenAPI contract' : `OpenAPI contract (SKIPPED: the spec is not at ${contract.SPEC_PATH}; set OPENAI_OPENAPI_SPEC to run it)`;

suite(title, () => {
	const { validate, validateQuery } = contract.createValidator(spec);
	let server: MockServer;
	beforeAll(async () => {
		server = await startServer();
	});
	afterAll(async () => await server.close());
	beforeEach(() => server.reset());

	const chat = new OpenAiReliableChat();
	const usage = new OpenAiReliableUsage();

	/** Submit and Wait over `count` items, fast: it must succeed, and its create request follow CreateBatchRequest. */
	async function submitAndWaitChecked(count: number, parameters: Record<string, unknown>) {
		server.batchScript = { stepMs: 20 };
		const run = await execute(new OpenAiReliableBatch(), {
			items: items(count),
			parameters: {
				operation: 'submitAndWait',
				model: { mode: 'id', value: 'gpt-4o-mini' },
				prompt: (_i: number, item: { text?: unknown }) => item.text,
				requestSettings: FAST_RETRY,
				waiting: { pollSeconds: 1 },
				...parameters,
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});
		expect(run.error).toBeUndefined();
		const create = server.requests.find((r) => r.method === 'POST' && r.path === '/batches')!;
		expect(validate('CreateBatchRequest', create.body)).toEqual([]);
		return run;
	}

	test('the validator itself rejects what the API would reject', () => {
		expect(validate('CreateChatCompletionRequest', { model: 'gpt-4o' })).not.toEqual([]);
		expect(validate('CreateChatCompletionRequest', { model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] })).not.toEqual([]);
		expect(validate('CreateResponse', { model: 'gpt-5', max_output_tokens: 'many' })).not.toEqual([]);
		expect(validate('CreateResponse', { model: 'gpt-5', tools: [{ type: 'file_search' }] })).not.toEqual([]);
		expect(validateQuery('/organization/usage/completions', 'GET', { start_time: '1', group_by: ['colour'] })).not.toEqual([]);
		expect(validateQuery('/organization/costs', 'GET', { start_time: '1', bucket_width: '1h' })).not.toEqual([]);
	});

	test.each([
		[
			'plain text with every option',
			{
				options: {
					temperature: 0.2,
					topP: 0.9,
					maxTokens: 64,
					frequencyPenalty: 0.5,
					presencePenalty: -0.5,
					seed: 7,
					stop: 'END, STOP',
					reasoningEffort: 'low',
				},
			},
		],
		[
			'JSON mode with a system message and history',
			{ systemMessage: 'Answer in JSON.', history: '[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]', responseFormat: 'json_object' },
		],
		['JSON schema, strict', { responseFormat: 'json_schema' }],
		[
			'an image, a PDF and an image link as attachments',
			{ attachments: { binaryProperties: 'data, doc', imageUrls: 'https://example.com/a.png', detail: 'low' } },
		],
	])('chat request bodies follow CreateChatCompletionRequest: %s', async (_, parameters) => {
		const file = { data: binaryOf(png(64, 64), 'image/png', 'a.png'), doc: binaryOf(pdf(1), 'application/pdf', 'b.pdf') };
		const run = await execute(chat, {
			items: items(2),
			binary: [file, file],
			parameters: {
				model: { mode: 'id', value: 'gpt-4o-mini' },
				prompt: (_i: number, item: { text?: unknown }) => item.text,
				requestSettings: FAST_RETRY,
				...parameters,
			},
			credentials: { openAiReliableApi: apiCredential(server) },
		});
		expect(run.error).toBeUndefined();
		const sent = server.requests.filter((r) => r.path === '/chat/completions');
		expect(sent).toHaveLength(2);
		for (const request of sent) expect(validate('CreateChatCompletionRequest', request.body)).toEqual([]);
	});

	test('Batch: create requests follow CreateBatchRequest, each JSONL line CreateChatCompletionRequest, and the mock answers Batch, OpenAIFile, ListBatchesResponse and the output lines CreateChatCompletionResponse', async () => {
		const run = await submitAndWaitChecked(3, { options: { maxTokens: 32, temperature: 0.2 } });
		const lines = uploadedLines(server);
		expect(lines).toHaveLength(3);
		for (const line of lines) expect(validate('CreateChatCompletionRequest', line.body)).toEqual([]);
		const headers = { authorization: `Bearer ${apiCredential(server).apiKey}` };
		const batchId = run.output[0][0].json.batchId as string;
		const batch = (await (await fetch(`${server.url}/batches/${batchId}`, { headers })).json()) as { output_file_id: string };
		expect(validate('Batch', batch)).toEqual([]);
		expect(validate('ListBatchesResponse', await (await fetch(`${server.url}/batches`, { headers })).json())).toEqual([]);
		expect(
			validate(
				'OpenAIFile',
				await (
					await fetch(`${server.url}/files`, {
						method: 'POST',
						headers: { ...headers, 'content-type': 'multipart/form-data; boundary=b' },
						body: '--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a.jsonl"\r\n\r\n{}\r\n--b--\r\n',
					})
				).json(),
			),
		).toEqual([]);
		const output = await (await fetch(`${server.url}/files/${batch.output_file_id}/content`, { headers })).text();
		for (const line of output.trim().split('\n')) expect(validate('CreateChatCompletionResponse', JSON.parse(line).response.body)).toEqual([]);
	});

	test.each([
		[
			'a Responses-only model with a system message, JSON schema and reasoning',
			{
				model: { mode: 'id', value: 'gpt-5-pro' },
				systemMessage: 'Be brief.',
				responseFormat: 'json_schema',
				options: { maxTokens: 64, reasoningEffort: 'low', reasoningSummary: 'auto' },
			},
		],
		[
			'web search, file search and code interpreter',
			{
				builtinTools: {
					webSearch: true,
					searchContextSize: 'high',
					allowedDomains: 'n8n.io',
					userCountry: 'de',
					userCity: 'Berlin',
					vectorStoreIds: 'vs_1',
					fileSearchMaxResults: 5,
					codeInterpreter: true,
					maxToolCalls: 3,
				},
			},
		],
		[
			'attachments, history, Previous Response ID and Store',
			{
				attachments: { binaryProperties: 'data, doc', imageUrls: 'https://example.com/a.png', detail: 'low' },
				history: '[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]',
				options: { previousResponseId: 'resp_1', store: false },
			},
		],
	])('Responses request bodies follow CreateResponse, and the mock answers Response: %s', async (_, parameters) => {
		const file = { data: binaryOf(png(64, 64), 'image/png', 'a.png'), doc: binaryOf(pdf(1), 'application/pdf', 'b.pdf') };
		const run = await execute(chat, {
			items: items(2),
			binary: [file, file],
			parameters: {
				model: { mode: 'id', value: 'gpt-4o-mini' },
				api: 'responses',
				prompt: (_i: number, item: { text?: unknown }) => item.text,
				requestSettings: FAST_RETRY,
				...parameters,
			},
			credentials: { openAiReliableApi: apiCredential(server) },
			typeVersion: 2,
		});
		expect(run.error).toBeUndefined();
		const sent = server.requests.filter((r) => r.path === '/responses');
		expect(sent).toHaveLength(2);
		for (const request of sent) expect(validate('CreateResponse', request.body)).toEqual([]);
		const answer = await fetch(`${server.url}/responses`, {
			method: 'POST',
			headers: { authorization: `Bearer ${apiCredential(server).apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify(sent[0].body),
		});
		expect(validate('Response', await answer.json())).toEqual([]);
	});

	test('background mode: the POST follows CreateResponse, and the queued, in-progress, completed and cancelled answers follow Response', async () => {
		server.backgroundMs = 300;
		const headers = { authorization: `Bearer ${apiCredential(server).apiKey}`, 'content-type': 'application/json' };
		const request = { model: 'gpt-5-pro', input: [{ role: 'user', content: 'long' }], background: true, max_output_tokens: 50 };
		expect(validate('CreateResponse', request)).toEqual([]);
		const post = async () =>
			(await (await fetch(`${server.url}/responses`, { method: 'POST', headers, body: JSON.stringify(request) })).json()) as { id: string; status: string };
		const queued = await post();
		expect(queued.status).toBe('queued');
		expect(validate('Response', queued)).toEqual([]);
		const poll = async (id: string) => (await (await fetch(`${server.url}/responses/${id}`, { headers })).json()) as { status: string };
		const running = await poll(queued.id);
		expect([running.status, validate('Response', running)]).toEqual(['in_progress', []]);
		await sleep(350);
		const done = await poll(queued.id);
		expect([done.status, validate('Response', done)]).toEqual(['completed', []]);
		const other = await post();
		const cancelled = (await (await fetch(`${server.url}/responses/${other.id}/cancel`, { method: 'POST', headers, body: '{}' })).json()) as { status: string };
		expect([cancelled.status, validate('Response', cancelled)]).toEqual(['cancelled', []]);
	});

	test('a streamed Response: every event follows ResponseStreamEvent (text, a function call, web search)', async () => {
		const headers = { authorization: `Bearer ${apiCredential(server).apiKey}`, 'content-type': 'application/json' };
		const requests = [
			{ model: 'gpt-4o-mini', input: 'stream this', stream: true, tools: [{ type: 'web_search' }] },
			{
				model: 'gpt-4o-mini',
				input: 'calc 2+2',
				stream: true,
				tools: [{ type: 'function', name: 'calculator', parameters: { type: 'object', properties: { input: { type: 'string' } } }, strict: false }],
			},
		];
		for (const request of requests) {
			expect(validate('CreateResponse', request)).toEqual([]);
			const text = await (await fetch(`${server.url}/responses`, { method: 'POST', headers, body: JSON.stringify(request) })).text();
			const events = text
				.split('\n\n')
				.map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
				.filter((line): line is string => !!line)
				.map((line) => JSON.parse(line.slice(6)) as { type: string });
			expect(events.at(-1)!.type).toBe('response.completed');
			for (const event of events) expect([event.type, validate('ResponseStreamEvent', event)]).toEqual([event.type, []]);
		}
	});

	test('Batch on the Responses API: create follows CreateBatchRequest, each line CreateResponse, and the output lines Response', async () => {
		const run = await submitAndWaitChecked(2, { api: 'responses', responseFormat: 'json_schema', options: { maxTokens: 32 } });
		for (const line of uploadedLines(server)) expect(validate('CreateResponse', line.body)).toEqual([]);
		const headers = { authorization: `Bearer ${apiCredential(server).apiKey}` };
		const batch = (await (await fetch(`${server.url}/batches/${run.output[0][0].json.batchId as string}`, { headers })).json()) as { output_file_id: string };
		const output = await (await fetch(`${server.url}/files/${batch.output_file_id}/content`, { headers })).text();
		for (const line of output.trim().split('\n')) expect(validate('Response', JSON.parse(line).response.body)).toEqual([]);
	});

	test('mock chat answers follow CreateChatCompletionResponse, and errors ErrorResponse', async () => {
		const answer = await fetch(`${server.url}/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${apiCredential(server).apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-5-mini', messages: [{ role: 'user', content: 'hi' }] }),
		});
		expect(validate('CreateChatCompletionResponse', await answer.json())).toEqual([]);
		const denied = await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-wrong' }, body: '{}' });
		expect(denied.status).toBe(401);
		expect(validate('ErrorResponse', await denied.json())).toEqual([]);
		const models = await fetch(`${server.url}/models`, { headers: { authorization: `Bearer ${apiCredential(server).apiKey}` } });
		expect(validate('ListModelsResponse', await models.json())).toEqual([]);
	});

	test('Usage API queries follow the spec, and the mock pages follow UsageResponse', async () => {
		const run = await execute(usage, {
			parameters: {
				operation: 'getUsage',
				startDate: '2026-10-01T00:00:00Z',
				endDate: '2026-11-15T00:00:00Z',
				groupBy: ['model', 'project_id', 'api_key_id'],
				models: 'gpt-4o-mini, gpt-4o',
				projectIds: 'proj_alpha',
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		expect(server.requests.length).toBeGreaterThan(1);
		for (const request of server.requests) {
			expect(validateQuery('/organization/usage/completions', 'GET', request.query)).toEqual([]);
		}
		const page = await fetch(`${server.url}/organization/usage/completions?start_time=1790000000&group_by=model`, {
			headers: { authorization: `Bearer ${adminCredential(server).apiKey}` },
		});
		expect(validate('UsageResponse', await page.json())).toEqual([]);
	});

	test.each([
		['webSearchCalls', 'web_search_calls', { webSearchGroupBy: ['model', 'context_level', 'project_id', 'user_id', 'api_key_id'], models: 'gpt-4.1' }],
		['fileSearchCalls', 'file_search_calls', { fileSearchGroupBy: ['vector_store_id', 'project_id', 'user_id', 'api_key_id'] }],
		['codeInterpreterSessions', 'code_interpreter_sessions', { codeInterpreterGroupBy: ['project_id'] }],
	])('Usage API of %s: queries follow the spec, and the mock pages follow UsageResponse', async (usageOf, endpoint, fields) => {
		const run = await execute(usage, {
			parameters: {
				operation: 'getUsage',
				usageOf,
				startDate: '2026-10-01T00:00:00Z',
				endDate: '2026-10-05T00:00:00Z',
				projectIds: 'proj_alpha',
				...fields,
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		const path = `/organization/usage/${endpoint}`;
		expect(server.requests.map((r) => r.path)).toEqual([path]);
		expect(validateQuery(path, 'GET', server.requests[0].query)).toEqual([]);
		const groupBy = Object.values(fields)[0] as string[];
		const page = await fetch(`${server.url}${path}?start_time=1790000000&${groupBy.map((g) => `group_by=${g}`).join('&')}`, {
			headers: { authorization: `Bearer ${adminCredential(server).apiKey}` },
		});
		expect(validate('UsageResponse', await page.json())).toEqual([]);
	});

	test('Costs API queries follow the spec, and the mock pages follow UsageResponse', async () => {
		const run = await execute(usage, {
			parameters: {
				operation: 'getCosts',
				startDate: '2026-01-01T00:00:00Z',
				endDate: '2026-11-01T00:00:00Z',
				costGroupBy: ['line_item', 'project_id'],
				requestSettings: FAST_RETRY,
			},
			credentials: { openAiReliableAdminApi: adminCredential(server) },
		});
		expect(run.error).toBeUndefined();
		for (const request of server.requests) expect(validateQuery('/organization/costs', 'GET', request.query)).toEqual([]);
		const page = await fetch(`${server.url}/organization/costs?start_time=1790000000&group_by=project_id`, {
			headers: { authorization: `Bearer ${adminCredential(server).apiKey}` },
		});
		expect(validate('UsageResponse', await page.json())).toEqual([]);
	});
});
