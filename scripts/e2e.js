#!/usr/bin/env node
/**
 * npm run e2e: the built package inside a real n8n 2.41.1, driven by n8n's CLI against
 * the project's mock OpenAI server on 127.0.0.1. Each scenario asserts on the parsed
 * execution result and on what the mock server saw.
 */
'use strict';

const assert = require('node:assert/strict');
const { execSync } = require('node:child_process');

const { N8nInstance, nodeOutput, runError, linearWorkflow, itemsNode, calculatorNode } = require('./lib/n8n');
const { log } = require('./lib/toolchain');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');
const { priceOf } = require('./lib/prices');

/** OpenAI's answer when the account has no credit left (https://platform.openai.com/docs/guides/error-codes). */
const NO_CREDIT = {
	status: 429,
	body: {
		error: {
			message: 'You exceeded your current quota, please check your plan and billing details.',
			type: 'insufficient_quota',
			param: null,
			code: 'insufficient_quota',
		},
	},
};

const CHAT = 'n8n-nodes-openai-reliable.openAiReliableChat';
const CHAT_MODEL = 'n8n-nodes-openai-reliable.openAiReliableChatModel';
const USAGE = 'n8n-nodes-openai-reliable.openAiReliableUsage';
const BATCH = 'n8n-nodes-openai-reliable.openAiReliableBatch';

function batchNode(extra = {}) {
	return {
		name: 'Batch',
		type: BATCH,
		credentials: apiCred,
		parameters: {
			operation: 'submitAndWait',
			model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
			prompt: '={{ $json.text }}',
			waiting: { pollSeconds: 1, maxWaitMinutes: 2 },
			requestSettings: { maxWaitSeconds: 5 },
		},
		...extra,
	};
}
const PROJECT_KEY = fakeKey('proj', 'e2e');
const ADMIN_KEY = fakeKey('admin', 'e2e');
const WRONG_KEY = fakeKey('proj', 'revoked');

const credentials = (url) => [
	{
		id: 'e2eApiCred000001',
		name: 'Reliable (mock)',
		type: 'openAiReliableApi',
		data: { apiKey: PROJECT_KEY, baseUrl: url, organizationId: '', projectId: '' },
	},
	{ id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)', type: 'openAiReliableAdminApi', data: { apiKey: ADMIN_KEY, baseUrl: url } },
	{
		id: 'e2eWrongCred0001',
		name: 'Reliable (revoked key)',
		type: 'openAiReliableApi',
		data: { apiKey: WRONG_KEY, baseUrl: url, organizationId: '', projectId: '' },
	},
];

/** About half of what 200 answers of about 13 + 6 tokens cost at gpt-4o-mini prices. */
const SPEND_CAP_USD = 0.0005;
/** A cap for about four web searches ($10 per 1,000 on OpenAI's pricing page, plus tokens). */
const TOOL_CAP_USD = 0.05;
const WEB_SEARCH_USD = 0.01;

const apiCred = { openAiReliableApi: { id: 'e2eApiCred000001', name: 'Reliable (mock)' } };

function chatNode(extra = {}, settings = {}) {
	return {
		name: 'Chat',
		type: CHAT,
		credentials: apiCred,
		parameters: {
			model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
			prompt: '={{ $json.text }}',
			requestSettings: { maxWaitSeconds: 5, ...settings },
		},
		...extra,
	};
}

/**
 * A Code node that makes items with a file each in binary field "data", as an email
 * trigger or Read Files node would: a 1024×1024 PNG header on even items, a two-page PDF
 * on odd ones, and a ZIP on item 5 (refused before sending).
 */
function filesNode(count) {
	const code = `
const png = () => { const b = Buffer.alloc(33 + 12 + 2000); Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(b); b.writeUInt32BE(1024, 16); b.writeUInt32BE(1024, 20); return b; };
const pdf = Buffer.from('%PDF-1.4\\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj 2 0 obj << /Type /Page >> endobj 3 0 obj << /Type /Page >> endobj\\n%%EOF');
return Array.from({ length: ${count} }, (_, i) => {
  const [bytes, mimeType, fileName] = i === 5 ? [Buffer.from('PK\\u0003\\u0004zip'), 'application/zip', 'archive.zip'] : i % 2 ? [pdf, 'application/pdf', 'invoice-' + i + '.pdf'] : [png(), 'image/png', 'receipt-' + i + '.png'];
  return { json: { text: 'file-' + i }, binary: { data: { data: bytes.toString('base64'), mimeType, fileName } } };
});`;
	return { name: 'Files', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: code } };
}

/**
 * Trigger → Items → a root AI node (the AI Agent or the Basic LLM Chain) with our Chat Model
 * attached, and optionally a tool or an output parser.
 */
function aiWorkflow(id, name, { count, prefix, root, modelOptions = {}, modelParameters = {}, settings = {}, tool = false, parser = false, onError }) {
	const workflow = linearWorkflow(id, name, [itemsNode(count, prefix), { ...root, ...(onError ? { onError } : {}) }]);
	workflow.nodes.push({
		id: `${id}-model`,
		name: 'OpenAI Reliable Chat Model',
		type: CHAT_MODEL,
		typeVersion: 1,
		position: [400, 220],
		credentials: apiCred,
		parameters: {
			model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
			options: modelOptions,
			requestSettings: { maxWaitSeconds: 2, ...settings },
			...modelParameters,
		},
	});
	workflow.connections['OpenAI Reliable Chat Model'] = { ai_languageModel: [[{ node: root.name, type: 'ai_languageModel', index: 0 }]] };
	if (tool) {
		workflow.nodes.push(calculatorNode(`${id}-calc`));
		workflow.connections.Calculator = { ai_tool: [[{ node: root.name, type: 'ai_tool', index: 0 }]] };
	}
	if (parser) {
		workflow.nodes.push({
			id: `${id}-parser`,
			name: 'Structured Output Parser',
			type: '@n8n/n8n-nodes-langchain.outputParserStructured',
			typeVersion: 1.3,
			position: [600, 220],
			parameters: { schemaType: 'fromJson', jsonSchemaExample: '{ "echo": "some text" }' },
		});
		workflow.connections['Structured Output Parser'] = { ai_outputParser: [[{ node: root.name, type: 'ai_outputParser', index: 0 }]] };
	}
	return workflow;
}

const agent = {
	name: 'AI Agent',
	type: '@n8n/n8n-nodes-langchain.agent',
	typeVersion: 3.1,
	parameters: { promptType: 'define', text: '={{ $json.text }}', options: {} },
};
const chain = {
	name: 'Basic LLM Chain',
	type: '@n8n/n8n-nodes-langchain.chainLlm',
	typeVersion: 1.9,
	parameters: { promptType: 'define', text: '={{ $json.text }}', hasOutputParser: true },
};

const workflows = [
	aiWorkflow('e2eAgentTool0001', 'Agent with a tool', { count: 5, prefix: 'calc 6*7 #', root: agent, tool: true }),
	aiWorkflow('e2eAgentResp0001', 'Agent on the Responses API: Calculator and web search', {
		count: 5,
		prefix: 'calc 6*7 #',
		root: agent,
		tool: true,
		modelParameters: { api: 'responses', builtinTools: { webSearch: true, maxToolCalls: 2 } },
	}),
	aiWorkflow('e2eAgentProBg001', 'Agent on a -pro model: background mode', {
		count: 5,
		prefix: 'calc 6*7 #',
		root: agent,
		tool: true,
		modelParameters: { model: { __rl: true, mode: 'list', value: 'o3-pro' }, api: 'auto' },
	}),
	aiWorkflow('e2eAgentBurst001', 'Agent, 429s between the tool call and the answer', { count: 5, prefix: 'calc 3*3 #', root: agent, tool: true }),
	aiWorkflow('e2eAgentQuota001', 'Agent, no credit in the middle', {
		count: 5,
		prefix: 'calc 2+2 #',
		root: agent,
		tool: true,
		onError: 'continueRegularOutput',
	}),
	aiWorkflow('e2eChainJson0001', 'Basic LLM Chain with structured output', {
		count: 3,
		prefix: 'structured',
		root: chain,
		parser: true,
		modelOptions: { responseFormat: 'json_object' },
	}),
	aiWorkflow('e2eAgentLoopCap1', 'Agent whose tools loop, stopped by the spend cap', {
		count: 1,
		prefix: 'calc 1+1 #',
		root: agent,
		tool: true,
		modelOptions: { maxTokens: 20 },
		settings: { maxSpendUsd: 0.0002 },
	}),
	linearWorkflow('e2eChat20items01', 'Chat over 20 items', [itemsNode(20), chatNode()]),
	linearWorkflow('e2eBatch100item1', 'Batch: 100 items, submit and wait', [itemsNode(100, 'row'), batchNode()]),
	linearWorkflow('e2eBatchFailed01', 'Batch with failed lines', [itemsNode(100, 'row'), batchNode({ onError: 'continueRegularOutput' })]),
	linearWorkflow('e2eBatchHold0001', 'Batch submitted, then a Chat node under the same spend cap', [
		itemsNode(20, 'row'),
		batchNode({
			parameters: { ...batchNode().parameters, operation: 'submit', options: { maxTokens: 1000 }, requestSettings: { maxWaitSeconds: 5, maxSpendUsd: 0.01 } },
		}),
		chatNode({
			onError: 'continueRegularOutput',
			parameters: {
				...chatNode().parameters,
				prompt: 'Say when the batch is done',
				options: { maxTokens: 8000 },
				requestSettings: { maxWaitSeconds: 5, maxSpendUsd: 0.01 },
			},
		}),
	]),
	linearWorkflow('e2eAttachments01', 'Invoices and receipts as attachments', [
		filesNode(6),
		chatNode({ onError: 'continueRegularOutput', parameters: { ...chatNode().parameters, attachments: { binaryProperties: 'data', detail: 'high' } } }),
	]),
	linearWorkflow('e2eBurst429wf001', '429 burst with retry-after', [itemsNode(10, 'burst'), chatNode()]),
	linearWorkflow('e2eQuotaWorkfl01', 'No credit', [itemsNode(5, 'quota'), chatNode({}, { concurrency: 1 })]),
	linearWorkflow('e2eContinueFail1', 'Continue on fail', [itemsNode(20, 'cof'), chatNode({ onError: 'continueRegularOutput' })]),
	{
		...linearWorkflow('e2eBudgetRoute01', 'Budget routing', [
			{
				name: 'Tight Budget',
				type: USAGE,
				credentials: { openAiReliableAdminApi: { id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)' } },
				parameters: { resource: 'organization', operation: 'checkBudget', monthlyBudget: 0.01 },
			},
		]),
	},
	linearWorkflow('e2eToolUsage0001', 'Get Usage of web search calls', [
		{
			name: 'Web Search Usage',
			type: USAGE,
			credentials: { openAiReliableAdminApi: { id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)' } },
			parameters: {
				resource: 'organization',
				operation: 'getUsage',
				usageOf: 'webSearchCalls',
				startDate: '2026-11-01T00:00:00Z',
				endDate: '2026-11-11T00:00:00Z',
				webSearchGroupBy: ['model'],
				usageOutput: 'summary',
			},
		},
	]),
	linearWorkflow('e2eBudgetRoute02', 'Budget routing (roomy)', [
		{
			name: 'Roomy Budget',
			type: USAGE,
			credentials: { openAiReliableAdminApi: { id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)' } },
			parameters: { resource: 'organization', operation: 'checkBudget', monthlyBudget: 100000 },
		},
	]),
	linearWorkflow('e2eTrickle20item', 'Trickling body past the Timeout', [
		itemsNode(20, 'trickle'),
		chatNode({ onError: 'continueRegularOutput' }, { timeoutSeconds: 3, maxRetries: 1, concurrency: 20 }),
	]),
	linearWorkflow('e2eErrorIn200wf1', '200 answers that are errors', [itemsNode(10, 'err200'), chatNode({ onError: 'continueRegularOutput' })]),
	linearWorkflow('e2eSpendCap200it', 'Spend cap over 200 items', [
		itemsNode(200, 'cap'),
		{
			...chatNode({ onError: 'continueRegularOutput' }, { concurrency: 10, maxSpendUsd: SPEND_CAP_USD }),
			parameters: { ...chatNode().parameters, options: { maxTokens: 10 }, requestSettings: { concurrency: 10, maxSpendUsd: SPEND_CAP_USD } },
		},
	]),
	linearWorkflow('e2eRespProModel1', 'Responses: a Responses-only model', [
		itemsNode(5, 'pro'),
		{
			...chatNode(),
			typeVersion: 2,
			parameters: { ...chatNode().parameters, model: { __rl: true, mode: 'list', value: 'gpt-5-pro' }, options: { maxTokens: 200 } },
		},
	]),
	linearWorkflow('e2eRespWebSrch01', 'Responses: web search with sources', [
		itemsNode(5, 'search'),
		{ ...chatNode(), typeVersion: 2, parameters: { ...chatNode().parameters, builtinTools: { webSearch: true }, options: { maxTokens: 100 } } },
	]),
	linearWorkflow('e2eRespBackgrnd1', 'Responses: background mode with dropped polls', [
		itemsNode(5, 'bg'),
		{
			...chatNode(),
			typeVersion: 2,
			parameters: { ...chatNode().parameters, model: { __rl: true, mode: 'list', value: 'gpt-5-pro' }, options: { maxTokens: 200 } },
		},
	]),
	linearWorkflow('e2eRespToolCap01', 'Responses: the spend cap counts tool fees', [
		itemsNode(20, 'toolcap'),
		{
			...chatNode({ onError: 'continueRegularOutput' }),
			typeVersion: 2,
			parameters: {
				...chatNode().parameters,
				builtinTools: { webSearch: true, maxToolCalls: 1 },
				options: { maxTokens: 100 },
				requestSettings: { concurrency: 4, maxWaitSeconds: 5, maxSpendUsd: TOOL_CAP_USD },
			},
		},
	]),
	linearWorkflow('e2eCapStop000001', 'Spend cap: Stop the Workflow', [
		itemsNode(40, 'stop'),
		{
			...chatNode(),
			parameters: {
				...chatNode().parameters,
				options: { maxTokens: 10 },
				requestSettings: { concurrency: 2, maxWaitSeconds: 5, maxSpendUsd: 0.00005, onSpendCap: 'stop' },
			},
		},
	]),
	linearWorkflow('e2eCapTiny000001', 'Spend cap $0.0001 without Max Tokens', [itemsNode(10, 'tiny'), chatNode({}, { maxSpendUsd: 0.0001 })]),
	// Default Request Settings (Keep Retrying For 5 min, no Max Retries), Continue On Fail on, as the issue measured it.
	linearWorkflow('e2eOutage0000040', 'An outage from the first request, 40 items', [
		itemsNode(40, 'out'),
		chatNode({ onError: 'continueRegularOutput', parameters: { ...chatNode().parameters, requestSettings: {} } }),
	]),
	linearWorkflow('e2eOutageBudget1', 'An outage longer than Keep Retrying For (Continue On Fail)', [
		itemsNode(40, 'budget'),
		chatNode({ onError: 'continueRegularOutput', parameters: { ...chatNode().parameters, requestSettings: { keepRetryingMinutes: 0.25 } } }),
	]),
	linearWorkflow('e2eOutageBudget2', 'An outage longer than Keep Retrying For', [
		itemsNode(40, 'budget'),
		chatNode({ parameters: { ...chatNode().parameters, requestSettings: { keepRetryingMinutes: 0.25 } } }),
	]),
	linearWorkflow('e2eWrongKeyWf001', 'Wrong key', [
		itemsNode(3, 'wrongkey'),
		{ ...chatNode(), credentials: { openAiReliableApi: { id: 'e2eWrongCred0001', name: 'Reliable (revoked key)' } } },
	]),
];

async function main() {
	log('building the package');
	execSync('npm run build --silent', { stdio: 'inherit' });
	const server = await startMockOpenAi({ apiKeys: [PROJECT_KEY], adminKeys: [ADMIN_KEY], latencyMs: 20, dailyCostUsd: 2 });
	const n8n = N8nInstance.create('e2e');
	log(`n8n user folder: ${n8n.userFolder}; mock OpenAI at ${server.url}`);
	const results = [];
	const outputs = [];
	// E2E_ONLY=10,11 runs only those scenarios (while working on them).
	const only = process.env.E2E_ONLY ? process.env.E2E_ONLY.split(',') : undefined;
	const scenario = async (name, fn) => {
		if (only && !only.includes(name.split('.')[0])) return;
		const started = Date.now();
		try {
			await fn();
			results.push({ name, ok: true, ms: Date.now() - started });
			log(`PASS ${name}`);
		} catch (error) {
			results.push({ name, ok: false, ms: Date.now() - started, error });
			log(`FAIL ${name}: ${error.message}`);
		}
	};
	const execute = async (id) => {
		const result = await n8n.execute(id);
		outputs.push(result.stdout, result.stderr);
		return result;
	};

	try {
		await n8n.importCredentials(credentials(server.url));
		await n8n.importWorkflows(workflows);

		await scenario('1. Chat over 20 items: every item answered, in order, with usage and cost', async () => {
			server.reset();
			const { run, code } = await execute('e2eChat20items01');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 20);
			items.forEach((item, i) => {
				assert.equal(item.json.content, `Echo: item-${i}`);
				assert.deepEqual(item.pairedItem, { item: i });
				assert.equal(item.json.text, `item-${i}`, 'the input field is kept next to the answer');
				assert.ok(item.json.totalTokens > 0, 'token counts');
				assert.ok(item.json.costUsd > 0, 'cost');
				assert.match(item.json.requestId, /^req_/);
			});
			assert.equal(server.requests.filter((r) => r.path === '/chat/completions').length, 20, 'one request per item');
		});

		await scenario('2. A 429 burst with retry-after: every item still succeeds, and the server saw the retries', async () => {
			server.reset();
			server.script({
				match: (r) => r.path === '/chat/completions',
				times: 6,
				respond: {
					status: 429,
					headers: { 'retry-after': '1' },
					body: {
						error: { message: 'Rate limit reached for gpt-4o-mini. Please try again in 1s.', type: 'requests', param: null, code: 'rate_limit_exceeded' },
					},
				},
			});
			const { run, code } = await execute('e2eBurst429wf001');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 10);
			items.forEach((item, i) => assert.equal(item.json.content, `Echo: burst-${i}`));
			assert.equal(server.counts.byStatus[429], 6, 'the server sent 6 429s');
			assert.equal(server.counts.byStatus[200], 10, 'each item succeeded exactly once');
			assert.equal(
				items.reduce((sum, item) => sum + item.json.retries, 0),
				6,
				'retries reported on the items',
			);
		});

		await scenario('3. insufficient_quota: the run fails with the billing message after one request for that item', async () => {
			server.reset();
			server.script({
				match: (r) => r.text === 'quota-2',
				respond: NO_CREDIT,
			});
			const { run, code } = await execute('e2eQuotaWorkfl01');
			assert.equal(code, 1, 'the execution should fail');
			const error = runError(run);
			assert.ok(error, 'an error is reported');
			assert.match(error.message, /no credit left|spending limit/i);
			assert.match(`${error.description}`, /billing/i);
			// The plain sentence first; the advice leads the description, the codes end it.
			assert.match(`${error.description}`, /^Add a payment method or credits at .*\[HTTP 429, code insufficient_quota, request id req_\w+\]$/s);
			assert.equal(server.requestsOf('quota-2').length, 1, 'exactly one request for that item');
		});

		await scenario('4. continueOnFail with one bad item: 19 good items and 1 error item', async () => {
			server.reset();
			server.script({
				match: (r) => r.text === 'cof-7',
				respond: {
					status: 400,
					body: {
						error: {
							message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
							type: 'invalid_request_error',
							param: 'messages',
							code: 'context_length_exceeded',
						},
					},
				},
			});
			const { run, code } = await execute('e2eContinueFail1');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 20);
			assert.equal(items.filter((item) => item.json.error).length, 1);
			assert.match(items[7].json.error, /context window/);
			items.forEach((item, i) => {
				assert.deepEqual(item.pairedItem, { item: i });
				if (i !== 7) assert.equal(item.json.content, `Echo: cof-${i}`);
			});
			assert.equal(server.requestsOf('cof-7').length, 1, 'a 400 is not retried');
		});

		await scenario('5. Usage node "Check Budget" routes to the right output', async () => {
			server.reset();
			const tight = await execute('e2eBudgetRoute01');
			assert.equal(tight.code, 0, 'execution failed');
			const [within, over] = nodeOutput(tight.run, 'Tight Budget');
			assert.equal(within.length, 0);
			assert.equal(over.length, 1);
			assert.equal(over[0].json.hardLimitReached, true);
			assert.ok(over[0].json.spentUsd > 0 && over[0].json.percentUsed > 100);
			const roomy = await execute('e2eBudgetRoute02');
			const [within2, over2] = nodeOutput(roomy.run, 'Roomy Budget');
			assert.equal(within2.length, 1);
			assert.equal(over2.length, 0);
			assert.equal(within2[0].json.softLimitReached, false);
			assert.ok(server.requests.every((r) => r.path === '/organization/costs'));
		});

		await scenario('6. A wrong key in the credential gives the clear 401 message', async () => {
			server.reset();
			const { run, code } = await execute('e2eWrongKeyWf001');
			assert.equal(code, 1);
			const error = runError(run);
			assert.match(error.message, /rejected the API key/);
			assert.match(`${error.description}`, /^Check the API Key in the credential.*\[HTTP 401, code invalid_api_key, request id req_\w+\]$/s);
			assert.equal(server.requests.length, 1, 'an invalid key costs one request: nothing is sent after the 401');
		});

		await scenario('7. A body that trickles past the Timeout: 20 items end as timeout errors within 15 s', async () => {
			server.reset();
			server.script({ match: (r) => r.path === '/chat/completions', respond: { trickle: { intervalMs: 500, giveUpMs: 20_000 } } });
			const { run, code } = await execute('e2eTrickle20item');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 20);
			items.forEach((item, i) => {
				assert.match(item.json.error, /No complete answer from the server within the timeout of 3 s/);
				assert.equal(item.json.text, `trickle-${i}`);
			});
			const wallMs = run.data.resultData.runData.Chat[0].executionTime;
			log(`   trickling: 20 items in ${(wallMs / 1000).toFixed(1)} s (Timeout 3 s, Max Retries 1), ${server.requests.length} requests`);
			assert.ok(wallMs < 15_000, `took ${wallMs} ms`);
			assert.equal(server.requests.length, 40, 'each item tried twice');
		});

		await scenario("8. A 200 whose body is an error: error items with the server's message and status, never empty successes", async () => {
			server.reset();
			server.script({
				match: (r) => ['err200-2', 'err200-5', 'err200-8'].includes(r.text),
				respond: { status: 200, body: { error: { message: 'The gateway refused this request', type: 'invalid_request_error', param: null, code: null } } },
			});
			server.script({
				match: (r) => r.text === 'err200-6',
				times: 1,
				respond: { status: 200, body: { error: { message: 'Upstream model crashed', type: 'server_error', code: null } } },
			});
			server.script({ match: (r) => r.text === 'err200-7', times: 1, respond: { status: 200, body: { id: 'x', object: 'chat.completion', usage: {} } } });
			const { run, code } = await execute('e2eErrorIn200wf1');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 10);
			for (const i of [2, 5, 8]) {
				assert.match(items[i].json.error, /rejected the request as invalid \(sent as an error inside an HTTP 200 answer\)$/);
				assert.match(items[i].json.errorDescription, /\[HTTP 200, request id req_\w+\]$/);
				assert.match(items[i].json.errorDescription, /The gateway refused this request/);
				assert.equal(items[i].json.httpStatus, 200);
				assert.equal(server.requestsOf(`err200-${i}`).length, 1, 'not retried');
			}
			for (const i of [0, 1, 3, 4, 6, 7, 9]) assert.equal(items[i].json.content, `Echo: err200-${i}`);
			assert.equal(server.requestsOf('err200-6').length, 2, 'a server_error body is retried');
			assert.equal(server.requestsOf('err200-7').length, 2, 'a 200 without choices is retried');
		});

		await scenario('9. Spend cap: 200 items, a cap for about half, concurrency 10: billed ≤ cap, nothing answered lost', async () => {
			server.reset();
			const { run, code } = await execute('e2eSpendCap200it');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 200);
			const answered = items.filter((item) => item.json.content !== undefined);
			const notSent = items.filter((item) => item.json.notSent === true);
			assert.equal(answered.length + notSent.length, 200);
			notSent.forEach((item) => assert.match(item.json.error, /^Not sent: this execution's spend cap of \$0\.0005 was reached/));
			items.forEach((item, i) => assert.deepEqual(item.pairedItem, { item: i }));
			const completions = server.requests.filter((r) => r.outcome === 'completion');
			assert.equal(completions.length, answered.length, 'every billed answer is in the output');
			const billed = completions.reduce((sum, r) => sum + priceOf(r.body.model, r.usage), 0);
			log(
				`   spend cap: ${answered.length} answered, ${notSent.length} not sent; billed $${billed.toFixed(7)} of $${SPEND_CAP_USD} (${((billed / SPEND_CAP_USD) * 100).toFixed(1)}%)`,
			);
			assert.ok(billed <= SPEND_CAP_USD + 1e-12, `billed ${billed}`);
			assert.ok(answered.length > 50, 'the cap allowed a good share');
			const custom = run.data.resultData.metadata ?? {};
			assert.ok(Number(custom.openaiCostUsd) > 0, 'the execution cost is in its custom data');
		});

		/**
		 * An Agent workflow of 5 items "calc 6*7 #i" with the Calculator: every item gets its final
		 * answer, paired, and the model endpoint got a tool call and a final answer per item.
		 */
		const agentWithCalculator = async (workflowId, path) => {
			server.reset();
			const { run, code } = await execute(workflowId);
			assert.equal(code, 0, `execution failed: ${JSON.stringify(runError(run))?.slice(0, 500)}`);
			const items = nodeOutput(run, 'AI Agent')[0];
			assert.equal(items.length, 5);
			items.forEach((item, i) => {
				// The mock's final answer quotes the tool result it was given: the Calculator worked out 6*7.
				assert.match(item.json.output, /^Final: .*\b42\b/, `item ${i}: ${JSON.stringify(item.json).slice(0, 300)}`);
				assert.deepEqual(item.pairedItem, { item: i });
			});
			const calls = server.requests.filter((r) => r.method === 'POST' && r.path === path);
			assert.equal(calls.length, 10, 'a tool call and a final answer per item');
			return { run, calls };
		};

		await scenario('10. AI Agent + our Chat Model + Calculator: the tool runs, every item gets its final answer', async () => {
			const { run, calls } = await agentWithCalculator('e2eAgentTool0001', '/chat/completions');
			assert.equal(calls.filter((r) => r.toolCalls === 1).length, 5);
			assert.deepEqual(
				calls[0].body.tools[0].function.parameters,
				{ type: 'object', properties: { input: { type: 'string' } } },
				'the tool schema as JSON Schema',
			);
			// The sub-node's run data: tokens (n8n's tracing) and each call's cost (ours).
			const modelRuns = run.data.resultData.runData['OpenAI Reliable Chat Model'];
			const figures = modelRuns[0].data.ai_languageModel[0][0].json;
			assert.ok(figures.tokenUsage && figures.tokenUsage.promptTokens > 0, 'token usage in the run data');
			assert.ok(figures.costUsd > 0 && figures.executionCostUsd > 0, 'cost in the run data');
			assert.match(figures.requestId, /^req_/);
		});

		await scenario('11. The Agent with a 429 burst between the tool call and the final answer: all answered, nothing sent twice', async () => {
			server.reset();
			server.script({
				match: (r) => r.path === '/chat/completions' && Array.isArray(r.body.messages) && r.body.messages.some((m) => m.role === 'tool'),
				times: 6,
				respond: {
					status: 429,
					headers: { 'retry-after-ms': '100', 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '300' },
					body: {
						error: { message: 'Rate limit reached for gpt-4o-mini. Please try again in 100ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' },
					},
				},
			});
			const { run, code } = await execute('e2eAgentBurst001');
			assert.equal(code, 0, `execution failed: ${JSON.stringify(runError(run))?.slice(0, 500)}`);
			const items = nodeOutput(run, 'AI Agent')[0];
			items.forEach((item, i) => assert.match(item.json.output, /^Final: .*\b9\b/, `item ${i}`));
			assert.equal(server.counts.byStatus[429], 6, 'the burst happened');
			const answered = server.requests.filter((r) => r.outcome === 'completion');
			assert.equal(answered.length, 10, 'each call answered exactly once: 5 tool calls, 5 final answers');
		});

		await scenario('12. No credit in the middle of an Agent run: the billing message on the failed items, and no more requests', async () => {
			server.reset();
			server.script({
				match: (r) => r.path === '/chat/completions' && r.text === 'calc 2+2 #-2',
				respond: NO_CREDIT,
			});
			const { run, code } = await execute('e2eAgentQuota001');
			assert.equal(code, 0, 'Continue On Fail: the execution goes on');
			const items = nodeOutput(run, 'AI Agent')[0];
			assert.equal(items.length, 5);
			// The Agent works on its items at the same time: each one either finished before the
			// quota error, or ends with the billing message; item 2 met it.
			items.forEach((item, i) => {
				const text = JSON.stringify(item.json);
				assert.ok(/^Final: .*\b4\b/.test(String(item.json.output)) || /no credit left/.test(text), `item ${i}: ${text.slice(0, 300)}`);
			});
			assert.match(JSON.stringify(items[2].json), /no credit left or has reached its spending limit/);
			const afterQuota = server.requests.filter((r) => r.seq > server.requests.find((q) => q.status === 429).seq);
			assert.equal(afterQuota.length, 0, 'nothing was sent after the quota error');
		});

		await scenario('13. Basic LLM Chain with structured output through our Chat Model', async () => {
			server.reset();
			const { run, code } = await execute('e2eChainJson0001');
			assert.equal(code, 0, `execution failed: ${JSON.stringify(runError(run))?.slice(0, 500)}`);
			const items = nodeOutput(run, 'Basic LLM Chain')[0];
			assert.equal(items.length, 3);
			// The mock echoes the prompt, which n8n extends with the parser's format instructions.
			items.forEach((item, i) => assert.ok(item.json.output.echo.startsWith(`structured-${i}\n`), `item ${i}: ${JSON.stringify(item.json).slice(0, 200)}`));
		});

		await scenario('14. An Agent whose tools loop is stopped by the spend cap, within its dollars', async () => {
			server.reset();
			server.options.loopTools = true;
			try {
				const { run, code } = await execute('e2eAgentLoopCap1');
				assert.equal(code, 1, 'the Agent stops');
				assert.match(JSON.stringify(runError(run)), /Not sent: this execution's spend cap of \$0\.0002 was reached/);
				const billed = server.requests.filter((r) => r.outcome === 'completion').reduce((sum, r) => sum + priceOf(r.body.model, r.usage), 0);
				log(`   agent loop: ${server.requests.length} model calls, billed $${billed.toFixed(7)} of $0.0002`);
				assert.ok(server.requests.length > 3, 'the loop ran a while first');
				assert.ok(billed <= 0.0002, `billed ${billed}`);
			} finally {
				server.options.loopTools = false;
			}
		});

		await scenario('16. Attachments from binary data: images and PDFs read by the node, a ZIP refused before sending', async () => {
			server.reset();
			const { run, code } = await execute('e2eAttachments01');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 6);
			items.slice(0, 5).forEach((item, i) => {
				assert.equal(item.json.content, `Echo: file-${i} [${i % 2 ? 'application/pdf' : 'image/png'}]`);
				assert.deepEqual(item.pairedItem, { item: i });
				assert.equal(item.json.attachments[0].tokens, i % 2 ? 2 * (800 + 2833 + 4 * 5667) : 2833 + 4 * 5667, 'image tokens before sending');
			});
			assert.match(items[5].json.error, /Attachments › Binary Fields \("data", archive\.zip\): a file of type application\/zip cannot be sent/);
			const sent = server.requests.filter((r) => r.path === '/chat/completions');
			assert.equal(sent.length, 5, 'the ZIP item sent nothing');
			for (const r of sent) assert.equal(r.attachments.length, 1, 'one file part per request');
			assert.equal(JSON.stringify(items.map((item) => item.json)).includes('base64'), false, 'no file bytes in the output');
		});

		await scenario('17. Batch, Submit and Wait over 100 items: every item answered, in order, paired, at half the Chat price', async () => {
			server.reset();
			server.batchScript = { stepMs: 300 };
			const { run, code } = await execute('e2eBatch100item1');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Batch')[0];
			assert.equal(items.length, 100);
			let chatPrice = 0;
			let batchPrice = 0;
			items.forEach((item, i) => {
				assert.equal(item.json.content, `Echo: row-${i}`);
				assert.deepEqual(item.pairedItem, { item: i });
				assert.equal(item.json.customId, `item-${i}`);
				chatPrice += priceOf('gpt-4o-mini', { prompt_tokens: item.json.promptTokens, completion_tokens: item.json.completionTokens });
				batchPrice += item.json.costUsd;
			});
			log(`   batch: 100 items, ${server.requests.length} requests, costUsd $${batchPrice.toFixed(6)} vs $${chatPrice.toFixed(6)} at the Chat price`);
			assert.ok(Math.abs(batchPrice - chatPrice / 2) < 1e-6, `half price: ${batchPrice} vs ${chatPrice}`);
			assert.equal(server.requests.filter((r) => r.path === '/chat/completions').length, 0, 'nothing sent live');
			assert.equal(server.requests.filter((r) => r.path === '/files' && r.method === 'POST').length, 1, 'one upload');
		});

		await scenario('18. Batch with 3 failed lines (Continue On Fail): 97 answers and 3 error items; an expired batch names the unfinished items', async () => {
			server.reset();
			server.batchScript = { stepMs: 300, failLines: ['item-3', 'item-50', 'item-99'] };
			const failed = await execute('e2eBatchFailed01');
			assert.equal(failed.code, 0, 'execution failed');
			const items = nodeOutput(failed.run, 'Batch')[0];
			assert.equal(items.length, 100);
			assert.equal(items.filter((item) => typeof item.json.content === 'string').length, 97);
			for (const i of [3, 50, 99]) {
				assert.match(items[i].json.error, /^OpenAI could not answer this item in the batch: /);
				assert.equal(items[i].json.openAiCode, 'invalid_value');
				assert.deepEqual(items[i].pairedItem, { item: i });
			}
			server.reset();
			server.batchScript = { stepMs: 300, end: 'expired', finishShare: 0.6 };
			const expired = await execute('e2eBatchFailed01');
			const out = nodeOutput(expired.run, 'Batch')[0];
			assert.equal(out.filter((item) => typeof item.json.content === 'string').length, 60);
			const unfinished = out.filter((item) => item.json.error);
			assert.equal(unfinished.length, 40);
			for (const item of unfinished) assert.match(item.json.error, /^Not answered: the batch expired/);
		});

		await scenario('19. A submitted batch holds its worst case: a later Chat node under the same cap is not sent', async () => {
			server.reset();
			server.batchScript = { stepMs: 60_000 };
			const { run, code } = await execute('e2eBatchHold0001');
			assert.equal(code, 0, 'execution failed');
			const [batch] = nodeOutput(run, 'Batch')[0];
			assert.ok(batch.json.maxCostUsd > 0.005, `held ${batch.json.maxCostUsd}`);
			const [chat] = nodeOutput(run, 'Chat')[0];
			assert.equal(chat.json.notSent, true);
			assert.match(chat.json.error, /held by batches still running/);
			assert.equal(server.requests.filter((r) => r.path === '/chat/completions').length, 0, 'nothing sent live');
		});

		await scenario('20. Spend cap, Stop the Workflow: the execution fails, the answers billed are kept in the error', async () => {
			server.reset();
			const { run, code } = await execute('e2eCapStop000001');
			assert.equal(code, 1, 'the execution fails');
			const error = runError(run);
			assert.match(error.message, /^Not sent: this execution's spend cap of \$0\.00005 was reached/);
			assert.match(`${error.description}`, /The workflow was stopped .* of 40 were answered and billed/);
			// n8n keeps the error's context in the stored execution: the answers are not lost.
			const stored = run.data.resultData.runData.Chat[0].error;
			const kept = stored.context.answeredItems;
			const completions = server.requests.filter((r) => r.outcome === 'completion');
			assert.equal(kept.length, completions.length, 'every billed answer is kept');
			kept.forEach((item) => assert.equal(item.content, `Echo: stop-${item.itemIndex}`));
			assert.ok(server.requests.length < 40, `no new items after the cap: ${server.requests.length} requests`);
			log(`   stop: ${kept.length} answered and kept in the error, ${40 - kept.length} not sent`);
		});

		await scenario('21. A cap of $0.0001 without Max Tokens: every item refused, and the message says why and what to set', async () => {
			server.reset();
			const { run, code } = await execute('e2eCapTiny000001');
			assert.equal(code, 0, 'refused items are output, the execution goes on');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 10);
			for (const item of items) {
				assert.match(
					item.json.error,
					/^Not sent: this execution's spend cap of \$0\.0001 is less than what one request could cost \(\$0\.0098\d*: \d+ input tokens plus up to 16,384 output tokens/,
				);
				assert.match(item.json.errorDescription, /^Set Max Tokens in the Options/);
			}
			assert.equal(server.requests.length, 0, 'nothing was sent');
		});

		// Outages (issue 28): the server fails every request from the first one on, then answers again.
		// RPM 600 over short windows makes the floor 4 s for 40 items. The run may take the outage,
		// plus up to one check's interval (2.5 s, when the server came back just after a check), plus
		// 1.2× the floor.
		const OUTAGE_ITEMS = 40;
		const OUTAGE_FLOOR_MS = (OUTAGE_ITEMS / 600) * 60_000;
		// The most requests that may reach a server down for `outageMs`: the failures that began the pause, then a check every few seconds.
		const mostWhileDown = (outageMs) => 6 + outageMs / 2_000;
		const outageRuns = (process.env.E2E_OUTAGES ?? '30:503,30:reset,30:refused,120:503,120:reset,120:refused').split(',');
		await scenario(
			`22. Outages of ${[...new Set(outageRuns.map((r) => `${r.split(':')[0]} s`))].join(' and ')} (503, reset, refused): no item lost, none twice, a check every few seconds`,
			async () => {
				for (const spec of outageRuns) {
					const [seconds, mode] = spec.split(':');
					const outageMs = Number(seconds) * 1000;
					server.reset();
					server.setRateLimit({ rpm: 600 });
					server.outage({ mode, ms: outageMs });
					const { run, code } = await execute('e2eOutage0000040');
					server.setRateLimit(undefined);
					assert.equal(code, 0, `execution failed (${spec})`);
					const items = nodeOutput(run, 'Chat')[0];
					assert.equal(items.length, OUTAGE_ITEMS);
					const failed = items.filter((item) => item.json.error);
					assert.equal(failed.length, 0, `${spec}: ${failed.length} failed, the first with ${failed[0]?.json.error}`);
					for (let i = 0; i < OUTAGE_ITEMS; i++) {
						assert.equal(items[i].json.content, `Echo: out-${i}`);
						assert.equal(server.requestsOf(`out-${i}`).filter((r) => r.outcome === 'completion').length, 1, `out-${i} answered once`);
					}
					const wallMs = run.data.resultData.runData.Chat[0].executionTime;
					const during = server.downtime.requests;
					const hint = JSON.stringify(run.data.resultData.runData.Chat[0].hints ?? []);
					log(
						`   outage ${seconds} s (${mode}): ${OUTAGE_ITEMS}/${OUTAGE_ITEMS} answered in ${(wallMs / 1000).toFixed(1)} s (floor ${OUTAGE_FLOOR_MS / 1000} s + outage ${seconds} s), ${mode === 'refused' ? `${during} request reached the server (the first, cut), the rest were refused` : `${during} requests reached the server while it was down`}`,
					);
					assert.ok(wallMs <= 1.2 * OUTAGE_FLOOR_MS + outageMs + 2_500 + 1_000, `${spec}: ${wallMs} ms`);
					if (mode !== 'refused') assert.ok(during <= mostWhileDown(outageMs), `${spec}: ${during} requests while down`);
					assert.match(hint, /The API was unavailable for/, `${spec}: the hint says so`);
				}
			},
		);

		await scenario(
			'23. An outage longer than Keep Retrying For: every item fails naming the time tried; without Continue On Fail, the node stops with it',
			async () => {
				server.reset();
				server.outage({ mode: '503', ms: 60_000 });
				const continuing = await execute('e2eOutageBudget1');
				assert.equal(continuing.code, 0);
				const items = nodeOutput(continuing.run, 'Chat')[0];
				assert.equal(items.length, 40);
				for (const item of items) {
					assert.match(item.json.error, /is having problems \(HTTP 503\)/);
					assert.match(item.json.errorDescription, /It kept retrying for 1\d(\.\d)? s \(Request Settings → Keep Retrying For\)/);
				}
				server.reset();
				server.outage({ mode: '503', ms: 60_000 });
				const stopping = await execute('e2eOutageBudget2');
				assert.equal(stopping.code, 1);
				assert.match(`${runError(stopping.run).description}`, /It kept retrying for 1\d(\.\d)? s \(Request Settings → Keep Retrying For\)/);
			},
		);

		await scenario(
			'24. Responses: a Responses-only model (gpt-5-pro) answers through the Chat node (API Auto, background by default), one POST /responses per item',
			async () => {
				server.reset();
				const { run, code } = await execute('e2eRespProModel1');
				assert.equal(code, 0, 'execution failed');
				const items = nodeOutput(run, 'Chat')[0];
				assert.equal(items.length, 5);
				items.forEach((item, i) => {
					assert.equal(item.json.content, `Echo: pro-${i}`);
					assert.deepEqual(item.pairedItem, { item: i });
					assert.match(item.json.responseId, /^resp_/);
					assert.ok(item.json.costUsd > 0 && item.json.totalTokens > 0, 'cost and tokens');
					assert.match(item.json.requestId, /^req_/);
				});
				assert.deepEqual(
					server.requests.filter((r) => r.method === 'POST').map((r) => r.path),
					Array(5).fill('/responses'),
					'one POST /responses per item (then polled: background mode is on for -pro models)',
				);
			},
		);

		await scenario('25. Responses: web search returns sources and a cost that includes the tool fee', async () => {
			server.reset();
			const { run, code } = await execute('e2eRespWebSrch01');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 5);
			for (const item of items) {
				assert.ok(Array.isArray(item.json.sources) && item.json.sources.length === 2, 'two sources');
				assert.ok(
					item.json.sources.every((s) => /^https:\/\//.test(s.url) && s.title),
					'each with a title and a url',
				);
				assert.deepEqual(item.json.toolCalls, { web_search: 1 });
			}
			const billed = server.requests.filter((r) => r.outcome === 'completion');
			const expected = billed.reduce((sum, r) => sum + priceOf(r.body.model, r.usage) + WEB_SEARCH_USD * r.toolCalls, 0);
			const reported = items.reduce((sum, item) => sum + item.json.costUsd, 0);
			log(`   web search: 5 answers, $${reported.toFixed(6)} reported, $${expected.toFixed(6)} from the server's usage and calls`);
			assert.ok(Math.abs(reported - expected) < 1e-9, `reported ${reported}, expected ${expected}`);
		});

		await scenario('26. Responses: a spend cap stops items once web-search fees would pass it (billed ≤ cap)', async () => {
			server.reset();
			const { run, code } = await execute('e2eRespToolCap01');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 20);
			const answered = items.filter((item) => item.json.content !== undefined);
			const notSent = items.filter((item) => item.json.notSent === true);
			assert.equal(answered.length + notSent.length, 20);
			const billed = server.requests
				.filter((r) => r.outcome === 'completion')
				.reduce((sum, r) => sum + priceOf(r.body.model, r.usage) + WEB_SEARCH_USD * r.toolCalls, 0);
			log(`   tool cap: ${answered.length} answered, ${notSent.length} not sent; billed $${billed.toFixed(6)} of $${TOOL_CAP_USD}`);
			assert.ok(billed <= TOOL_CAP_USD + 1e-12, `billed ${billed}`);
			assert.ok(answered.length >= 3 && notSent.length > 0, 'some answered, the rest refused');
			assert.equal(server.requests.length, answered.length, 'nothing sent that was not answered');
		});

		await scenario(
			'27. Responses, background mode (a -pro model): connections dropped while polling, every item answered, one POST /responses each',
			async () => {
				server.reset();
				server.backgroundMs = 1500;
				server.script({ match: (r) => r.method === 'GET' && r.path.startsWith('/responses/'), times: 6, respond: { resetBeforeAnswer: true } });
				const { run, code } = await execute('e2eRespBackgrnd1');
				assert.equal(code, 0, 'execution failed');
				const items = nodeOutput(run, 'Chat')[0];
				assert.equal(items.length, 5);
				items.forEach((item, i) => {
					assert.equal(item.json.content, `Echo: bg-${i}`);
					assert.match(item.json.responseId, /^resp_/);
					assert.ok(item.json.costUsd > 0, 'priced when done');
				});
				const posts = server.requests.filter((r) => r.method === 'POST' && r.path === '/responses');
				const polls = server.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/responses/'));
				const dropped = polls.filter((r) => r.outcome === 'reset').length;
				log(`   background: ${posts.length} POST /responses for 5 items, ${polls.length} polls, ${dropped} of them dropped`);
				assert.equal(posts.length, 5, 'exactly one POST per item');
				assert.equal(dropped, 6, 'the polls were dropped');
			},
		);

		await scenario(
			"28. AI Agent + our Chat Model on the Responses API: the Calculator and web search together, the search fee in each call's cost",
			async () => {
				const { run, calls } = await agentWithCalculator('e2eAgentResp0001', '/responses');
				assert.equal(server.requests.filter((r) => r.path === '/chat/completions').length, 0);
				for (const call of calls)
					assert.deepEqual(
						call.body.tools.map((t) => t.type),
						['function', 'web_search'],
					);
				assert.equal(
					calls.filter((r) => r.body.input.some((m) => m.type === 'function_call_output')).length,
					5,
					'each tool result went back as a function_call_output',
				);
				const modelRuns = run.data.resultData.runData['OpenAI Reliable Chat Model'];
				const costs = modelRuns.map((r) => r.data.ai_languageModel[0][0].json.costUsd);
				log(
					`   Agent on Responses: ${calls.length} calls, each with a web search; cost per call $${Math.min(...costs).toFixed(5)}–$${Math.max(...costs).toFixed(5)}`,
				);
				assert.ok(
					costs.every((c) => c > 0.01),
					'each call includes its search fee',
				);
			},
		);

		await scenario('29. AI Agent + our Chat Model on a -pro model (API Auto): background mode, each call sent once and polled', async () => {
			const { run, calls } = await agentWithCalculator('e2eAgentProBg001', '/responses');
			assert.ok(
				calls.every((call) => call.body.background === true && call.body.stream === undefined),
				'every call in background mode',
			);
			const polls = server.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/responses/'));
			const modelRuns = run.data.resultData.runData['OpenAI Reliable Chat Model'];
			const costs = modelRuns.map((r) => r.data.ai_languageModel[0][0].json.costUsd);
			log(
				`   Agent on o3-pro: ${calls.length} POST /responses, ${polls.length} polls; cost per call $${Math.min(...costs).toFixed(5)}–$${Math.max(...costs).toFixed(5)}`,
			);
			assert.ok(
				costs.every((c) => c > 0),
				'each call priced when done',
			);
		});

		await scenario('30. Usage node, Get Usage of web search calls: one item per model, the calls at $10 per 1,000', async () => {
			server.reset();
			const { run, code } = await execute('e2eToolUsage0001');
			assert.equal(code, 0, `execution failed: ${JSON.stringify(runError(run))?.slice(0, 500)}`);
			const rows = nodeOutput(run, 'Web Search Usage')[0];
			assert.equal(rows.length, 2);
			for (const row of rows) {
				assert.equal(row.json.webSearchCalls, 30, '3 a day for 10 days');
				assert.equal(row.json.estimatedCostUsd, 0.3);
			}
			assert.deepEqual(
				server.requests.map((r) => r.path),
				['/organization/usage/web_search_calls'],
			);
		});

		await scenario(
			"31. A 30 s outage (503s) under the AI Agent with our Chat Model, and under the Batch node's polling: every item answered, a check every few seconds",
			async () => {
				// The Agent: the outage from its first model call on; its calls wait in the key's pause.
				server.reset();
				server.outage({ mode: '503', ms: 30_000 });
				const agent = await execute('e2eAgentTool0001');
				assert.equal(agent.code, 0, `execution failed: ${JSON.stringify(runError(agent.run))?.slice(0, 500)}`);
				const answers = nodeOutput(agent.run, 'AI Agent')[0];
				assert.equal(answers.length, 5);
				answers.forEach((item, i) => assert.match(item.json.output, /^Final: .*\b42\b/, `item ${i}`));
				const agentDuring = server.downtime.requests;
				const answered = server.requests.filter((r) => r.method === 'POST' && r.path === '/chat/completions' && r.status === 200);
				assert.equal(answered.length, 10, 'a tool call and a final answer per item, each answered once');
				assert.ok(agentDuring <= mostWhileDown(30_000), `${agentDuring} requests while down`);
				// The Batch node: the outage once the batch is created, while it polls.
				server.reset();
				server.batchScript = { stepMs: 300 };
				const pending = execute('e2eBatch100item1');
				while (!server.requests.some((r) => r.method === 'POST' && r.path === '/batches')) await new Promise((resolve) => setTimeout(resolve, 50));
				server.outage({ mode: '503', ms: 30_000, now: true });
				const batch = await pending;
				assert.equal(batch.code, 0, `execution failed: ${JSON.stringify(runError(batch.run))?.slice(0, 500)}`);
				const items = nodeOutput(batch.run, 'Batch')[0];
				assert.equal(items.length, 100);
				items.forEach((item, i) => assert.equal(item.json.content, `Echo: row-${i}`));
				const batchDuring = server.downtime.requests;
				assert.ok(batchDuring <= mostWhileDown(30_000), `${batchDuring} requests while down`);
				assert.equal(server.requests.filter((r) => r.method === 'POST' && r.path === '/batches').length, 1, 'one batch');
				log(`   Agent: 5 of 5 answered after a 30 s outage, ${agentDuring} requests while down; Batch: 100 of 100, ${batchDuring} requests while down`);
			},
		);

		await scenario('15. The workflow output and the n8n log contain no API key', async () => {
			const text = outputs.join('\n') + n8n.allLogs();
			for (const key of [PROJECT_KEY, ADMIN_KEY, WRONG_KEY]) {
				assert.equal(text.includes(key), false, 'a full key leaked');
				assert.equal(text.includes(key.slice(-12)), false, 'the end of a key leaked');
			}
			assert.ok(text.length > 1000, 'logs were collected');
		});
	} finally {
		await server.close();
	}

	const failed = results.filter((r) => !r.ok);
	process.stdout.write(`\ne2e: ${results.length - failed.length}/${results.length} scenarios passed in real n8n\n`);
	for (const f of failed) process.stdout.write(`  FAILED ${f.name}\n    ${f.error.stack}\n`);
	process.exit(failed.length ? 1 : 0);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
