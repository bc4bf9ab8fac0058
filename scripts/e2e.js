#!/usr/bin/env node
/**
 * npm run e2e: the built package inside a real n8n 2.41.1, driven by n8n's CLI against
 * the project's mock OpenAI server on 127.0.0.1. Each scenario asserts on the parsed
 * execution result and on what the mock server saw.
 */
'use strict';

const assert = require('node:assert/strict');
const { execSync } = require('node:child_process');

const { N8nInstance, nodeOutput, runError, linearWorkflow, itemsNode } = require('./lib/n8n');
const { log } = require('./lib/toolchain');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');
const { priceOf } = require('./lib/prices');

const CHAT = 'n8n-nodes-openai-reliable.openAiReliableChat';
const USAGE = 'n8n-nodes-openai-reliable.openAiReliableUsage';
const PROJECT_KEY = fakeKey('proj', 'e2e');
const ADMIN_KEY = fakeKey('admin', 'e2e');
const WRONG_KEY = fakeKey('proj', 'revoked');

const credentials = (url) => [
	{ id: 'e2eApiCred000001', name: 'Reliable (mock)', type: 'openAiReliableApi', data: { apiKey: PROJECT_KEY, baseUrl: url, organizationId: '', projectId: '' } },
	{ id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)', type: 'openAiReliableAdminApi', data: { apiKey: ADMIN_KEY, baseUrl: url } },
	{ id: 'e2eWrongCred0001', name: 'Reliable (revoked key)', type: 'openAiReliableApi', data: { apiKey: WRONG_KEY, baseUrl: url, organizationId: '', projectId: '' } },
];

/** About half of what 200 answers of about 13 + 6 tokens cost at gpt-4o-mini prices. */
const SPEND_CAP_USD = 0.0005;

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

const workflows = [
	linearWorkflow('e2eChat20items01', 'Chat over 20 items', [itemsNode(20), chatNode()]),
	linearWorkflow('e2eBurst429wf001', '429 burst with retry-after', [itemsNode(10, 'burst'), chatNode()]),
	linearWorkflow('e2eQuotaWorkfl01', 'No credit', [itemsNode(5, 'quota'), chatNode({}, { concurrency: 1 })]),
	linearWorkflow('e2eContinueFail1', 'Continue on fail', [itemsNode(20, 'cof'), chatNode({ onError: 'continueRegularOutput' })]),
	{
		...linearWorkflow('e2eBudgetRoute01', 'Budget routing', [
			{ name: 'Tight Budget', type: USAGE, credentials: { openAiReliableAdminApi: { id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)' } }, parameters: { resource: 'organization', operation: 'checkBudget', monthlyBudget: 0.01 } },
		]),
	},
	linearWorkflow('e2eBudgetRoute02', 'Budget routing (roomy)', [
		{ name: 'Roomy Budget', type: USAGE, credentials: { openAiReliableAdminApi: { id: 'e2eAdminCred0001', name: 'Reliable Admin (mock)' } }, parameters: { resource: 'organization', operation: 'checkBudget', monthlyBudget: 100000 } },
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
	const scenario = async (name, fn) => {
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
					body: { error: { message: 'Rate limit reached for gpt-4o-mini. Please try again in 1s.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
				},
			});
			const { run, code } = await execute('e2eBurst429wf001');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 10);
			items.forEach((item, i) => assert.equal(item.json.content, `Echo: burst-${i}`));
			assert.equal(server.counts.byStatus[429], 6, 'the server sent 6 429s');
			assert.equal(server.counts.byStatus[200], 10, 'each item succeeded exactly once');
			assert.equal(items.reduce((sum, item) => sum + item.json.retries, 0), 6, 'retries reported on the items');
		});

		await scenario('3. insufficient_quota: the run fails with the billing message after one request for that item', async () => {
			server.reset();
			server.script({
				match: (r) => r.text === 'quota-2',
				respond: {
					status: 429,
					body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
				},
			});
			const { run, code } = await execute('e2eQuotaWorkfl01');
			assert.equal(code, 1, 'the execution should fail');
			const error = runError(run);
			assert.ok(error, 'an error is reported');
			assert.match(error.message, /no credit left|spending limit/i);
			assert.match(`${error.description}`, /billing/i);
			assert.match(error.message, /HTTP 429/);
			assert.equal(server.requestsOf('quota-2').length, 1, 'exactly one request for that item');
		});

		await scenario('4. continueOnFail with one bad item: 19 good items and 1 error item', async () => {
			server.reset();
			server.script({
				match: (r) => r.text === 'cof-7',
				respond: {
					status: 400,
					body: { error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
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
			assert.match(error.message, /HTTP 401/);
			assert.match(`${error.description}`, /Check the API Key in the credential/);
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

		await scenario('8. A 200 whose body is an error: error items with the server\'s message and status, never empty successes', async () => {
			server.reset();
			server.script({
				match: (r) => ['err200-2', 'err200-5', 'err200-8'].includes(r.text),
				respond: { status: 200, body: { error: { message: 'The gateway refused this request', type: 'invalid_request_error', param: null, code: null } } },
			});
			server.script({ match: (r) => r.text === 'err200-6', times: 1, respond: { status: 200, body: { error: { message: 'Upstream model crashed', type: 'server_error', code: null } } } });
			server.script({ match: (r) => r.text === 'err200-7', times: 1, respond: { status: 200, body: { id: 'x', object: 'chat.completion', usage: {} } } });
			const { run, code } = await execute('e2eErrorIn200wf1');
			assert.equal(code, 0, 'execution failed');
			const items = nodeOutput(run, 'Chat')[0];
			assert.equal(items.length, 10);
			for (const i of [2, 5, 8]) {
				assert.match(items[i].json.error, /rejected the request as invalid.*sent as an error inside an HTTP 200 answer.*HTTP 200/);
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
			log(`   spend cap: ${answered.length} answered, ${notSent.length} not sent; billed $${billed.toFixed(7)} of $${SPEND_CAP_USD} (${((billed / SPEND_CAP_USD) * 100).toFixed(1)}%)`);
			assert.ok(billed <= SPEND_CAP_USD + 1e-12, `billed ${billed}`);
			assert.ok(answered.length > 50, 'the cap allowed a good share');
			const custom = run.data.resultData.metadata ?? {};
			assert.ok(Number(custom.openaiCostUsd) > 0, 'the execution cost is in its custom data');
		});

		await scenario('10. The workflow output and the n8n log contain no API key', async () => {
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
