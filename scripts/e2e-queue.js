#!/usr/bin/env node
/**
 * npm run e2e:queue: the package in n8n 2.41.1's queue mode (EXECUTIONS_MODE=queue), with a
 * Redis server on loopback, one main process and two `n8n worker` processes sharing one key.
 * Four executions of 200 items each are fired at once through a production webhook, against
 * the mock server enforcing its rate limit over short windows, as OpenAI does: once for each
 * header dialect (ROUNDS; E2E_QUEUE_DIALECTS=bucket,... picks some), each on its own key.
 *
 * Asserts: every item answered, in order, with pairedItem leading back to its input; no item
 * sent again after it succeeded; the jobs ran on both workers; no key appears in any log.
 * Without redis-server (and no way to install it), it says so and skips.
 */
'use strict';

const assert = require('node:assert/strict');
const { execSync } = require('node:child_process');

const { N8nInstance, pairingCheckNode, webhookWorkflow } = require('./lib/n8n');
const { ensureRedis, startRedis } = require('./lib/redis');
const { log } = require('./lib/toolchain');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');

const REDIS_PORT = Number(process.env.E2E_QUEUE_REDIS_PORT || 6390);
const MAIN_PORT = Number(process.env.E2E_QUEUE_PORT || 5690);
const EXECUTIONS = 4;
const ITEMS = 200;

function queueEnv(brokerPort) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(REDIS_PORT),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		QUEUE_HEALTH_CHECK_ACTIVE: 'false',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

/** Starts everything queue mode needs, runs `body`, and stops it all again. */
async function withQueueMode({ name, server, workflows, credentials }, body) {
	const n8n = N8nInstance.create(name);
	await n8n.importCredentials(credentials);
	await n8n.importWorkflows(workflows);
	for (const workflow of workflows) await n8n.publish(workflow.id);
	const redis = await startRedis(REDIS_PORT);
	const stops = [redis.stop];
	try {
		const main = await n8n.startServer({ port: MAIN_PORT, env: queueEnv(MAIN_PORT + 1) });
		stops.unshift(main.stop);
		const workers = [];
		for (let w = 0; w < 2; w++) {
			const worker = await n8n.startWorker({ env: queueEnv(MAIN_PORT + 2 + w), concurrency: 2 });
			stops.unshift(worker.stop);
			workers.push(worker);
		}
		return await body({ n8n, main, workers, server });
	} finally {
		for (const stop of stops) await stop();
	}
}

/**
 * Waits until n8n has registered a production webhook: n8n reports ready before it has
 * activated every workflow. A GET answers "not registered for GET" once the POST one exists.
 */
async function waitForWebhook(url, timeoutMs = 60_000) {
	const started = Date.now();
	for (;;) {
		const response = await fetch(url).catch(() => undefined);
		const text = response ? await response.text() : '';
		if (response && (response.status !== 404 || /not registered for GET|Did you mean to make a POST/i.test(text))) return;
		if (Date.now() - started > timeoutMs) throw new Error(`the webhook ${url} was not registered within ${timeoutMs / 1000} s: ${text.slice(0, 300)}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** POSTs to the webhook; resolves with the items the workflow's last node gave. */
async function fire(url, prefix, count) {
	await waitForWebhook(url);
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ prefix, count }),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`webhook answered ${response.status}: ${text.slice(0, 500)}`);
	return JSON.parse(text);
}

function chatNode(credentialId, credentialName) {
	return {
		name: 'Chat',
		type: 'n8n-nodes-openai-reliable.openAiReliableChat',
		credentials: { openAiReliableApi: { id: credentialId, name: credentialName } },
		onError: 'continueRegularOutput',
		parameters: {
			model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
			prompt: '={{ $json.text }}',
			requestSettings: { maxWaitSeconds: 5 },
		},
	};
}

/**
 * One round per header dialect the pacer must read (issue 23), each on its own key, so that what
 * a pacer learned about one key's headers does not carry into the next round:
 * - bucket: OpenAI's documented semantics (rate-limits guide: after one request at a limit of
 *   60, `remaining` 59 and `reset` 1s), written as the answer leaves;
 * - the same bucket written as the request was let in (OpenAI does not say when; its example
 *   reads so, and a gateway that decides before the model runs sends them so);
 * - scaled: a gateway's own one-second count in OpenAI's names;
 * - none: no rate-limit headers (vLLM, Ollama, many proxies).
 * Refused requests count against the limit in every round ("unsuccessful requests contribute to
 * your per-minute limit", OpenAI help centre), and the limit is enforced over one-second windows.
 * What is asserted is the promise: every item answered once, in its place. The time and the 429s
 * are printed, never asserted (bench/ measures them).
 */
const ROUNDS = [
	{ name: 'bucket', label: 'bucket', rateLimit: { rpm: 6000 } },
	{ name: 'bucket-admission', label: 'bucket, headers written at admission', rateLimit: { rpm: 6000, headersAt: 'admission' } },
	{ name: 'scaled', label: 'scaled', rateLimit: { rpm: 6000, dialect: 'scaled' } },
	{ name: 'none', label: 'no headers', rateLimit: { rpm: 6000, dialect: 'none' } },
].filter((round) => !process.env.E2E_QUEUE_DIALECTS || process.env.E2E_QUEUE_DIALECTS.split(',').includes(round.name));

async function main() {
	if (!ensureRedis()) {
		process.stdout.write("SKIPPED npm run e2e:queue: redis-server is not installed and could not be (needs Debian's apt-get as root).\n");
		return;
	}
	execSync('npm run build --silent', { stdio: 'inherit' });
	const keys = ROUNDS.map((round) => fakeKey('proj', `queue-${round.name}`));
	const server = await startMockOpenAi({ apiKeys: keys, latencyMs: 50, jitterMs: 20 });
	const credentials = ROUNDS.map((round, r) => ({
		id: `queueCred${String(r).padStart(7, '0')}`,
		name: `Reliable (queue, ${round.name})`,
		type: 'openAiReliableApi',
		data: { apiKey: keys[r], baseUrl: server.url, organizationId: '', projectId: '' },
	}));
	const workflows = ROUNDS.map((round, r) =>
		webhookWorkflow(`queueChatFlow${String(r).padStart(3, '0')}`, `Queue: chat over the webhook items (${round.name})`, `reliable-queue-${round.name}`, [
			chatNode(credentials[r].id, credentials[r].name),
			pairingCheckNode(),
		]),
	);
	try {
		await withQueueMode({ name: 'queue', server, workflows, credentials }, async ({ n8n, main: mainProcess, workers }) => {
			/** How many jobs each worker has started so far. */
			const jobsOf = () => workers.map((worker) => (worker.output.text.match(/Worker started execution/g) || []).length);
			for (const [r, round] of ROUNDS.entries()) {
				const url = `${mainProcess.url}/webhook/reliable-queue-${round.name}`;
				log(
					`queue mode (${round.label}): main on ${mainProcess.url}, 2 workers, Redis on 127.0.0.1:${REDIS_PORT}; firing ${EXECUTIONS} executions × ${ITEMS} items`,
				);
				server.setRateLimit(round.rateLimit);
				server.reset();
				// The clock starts once the webhook is registered: waiting for n8n to register it is not the run.
				await waitForWebhook(url);
				const jobsBefore = jobsOf();
				const started = Date.now();
				const results = await Promise.all(Array.from({ length: EXECUTIONS }, (_, k) => fire(url, `q${r}${k}`, ITEMS)));
				const wallMs = Date.now() - started;
				results.forEach((items, k) => {
					assert.equal(items.length, ITEMS, `${round.name}, execution ${k}: ${items.length} items`);
					items.forEach((item, i) => {
						const text = `q${r}${k}-${i}`;
						assert.equal(item.text, text, `${round.name}, execution ${k}, item ${i} is in its place`);
						assert.equal(item.pairedText, text, `${round.name}, execution ${k}, item ${i}: pairedItem leads back to its input`);
						assert.equal(item.content, `Echo: ${text}`, `${round.name}, execution ${k}, item ${i} answered: ${item.error ?? ''}`);
					});
				});
				const completions = new Map();
				for (const request of server.requests) if (request.outcome === 'completion') completions.set(request.text, (completions.get(request.text) || 0) + 1);
				const resent = [...completions.values()].filter((n) => n > 1).length;
				assert.equal(resent, 0, `${round.name}: no item was sent again after it succeeded`);
				assert.equal(completions.size, EXECUTIONS * ITEMS);
				const jobs = jobsOf().map((n, w) => n - jobsBefore[w]);
				const total = server.requests.filter((request) => request.path === '/chat/completions').length;
				const limited = server.counts.byStatus[429] || 0;
				log(
					`e2e:queue (${round.label}): ${EXECUTIONS} × ${ITEMS} items answered in ${(wallMs / 1000).toFixed(1)} s (floor ${((EXECUTIONS * ITEMS) / 100).toFixed(1)} s at 100 requests/s); ` +
						`${limited} 429s in ${total} requests (${((limited / total) * 100).toFixed(1)}%); jobs per worker: ${jobs.join(', ')}; 0 sent again`,
				);
			}
			const jobs = jobsOf();
			assert.ok(
				jobs.every((n) => n > 0),
				`jobs per worker: ${jobs.join(', ')}`,
			);
			const text = n8n.allLogs();
			for (const key of keys) {
				assert.equal(text.includes(key), false, 'a key leaked into a log');
				assert.equal(text.includes(key.slice(-12)), false, 'the end of a key leaked into a log');
			}
		});
		process.stdout.write(`\ne2e:queue: passed in real n8n queue mode (${ROUNDS.map((round) => round.label).join('; ')})\n`);
	} finally {
		await server.close();
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exit(1);
	});
}

module.exports = { withQueueMode, fire, queueEnv, waitForWebhook };
