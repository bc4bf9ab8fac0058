#!/usr/bin/env node
/**
 * npm run bench: throughput at the account's rate limit, in a real n8n (the e2e set-up),
 * against the project's mock server with a real sliding-window rate limit.
 *
 * For each scenario the same 500 items run through
 *   (a) this package's Chat node (default settings unless the scenario says otherwise),
 *   (b) n8n's built-in OpenAI node (@n8n/n8n-nodes-langchain.openAi, "Message a Model",
 *       which uses /chat/completions like ours) with Retry On Fail on,
 *   (c) the theoretical floor: N / RPM (or N x tokens per request / TPM).
 * It prints wall time (the node's own execution time from n8n), the ratio to the floor,
 * the 429s the server sent, failed items, and requests sent (duplicates: items answered
 * more than once). Then the memory figure: n8n's peak RSS for 10,000 items.
 *
 * Exits non-zero only when our node fails an item. Timings are printed, never asserted.
 * Options: --scenario=<name> (repeatable), --items=<n>, --skip-builtin, --skip-memory.
 */
'use strict';

const { execSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { N8nInstance, nodeOutput, linearWorkflow, itemsNode } = require('../scripts/lib/n8n');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const hit = args.find((a) => a.startsWith(`--${name}=`));
	return hit ? hit.split('=')[1] : fallback;
};
const only = args.filter((a) => a.startsWith('--scenario=')).map((a) => a.split('=')[1]);
const N = Number(option('items', 500));
const KEY = fakeKey('proj', 'bench');

const MAX_TOKENS = 400;
/** What the mock counts per request against TPM: prompt (about 8 tokens here) plus max_tokens. */
const TOKENS_PER_REQUEST = 8 + MAX_TOKENS;

const scenarios = [
	{
		name: 'rpm-bound',
		about: 'RPM 600 (enforced per second, as OpenAI quantizes), 300 ms ± 50 ms latency',
		server: { rateLimit: { rpm: 600, windowMs: 1000 }, latencyMs: 300, jitterMs: 50 },
		floorMs: (n) => (n / 600) * 60_000,
	},
	{
		name: 'tpm-bound',
		about: `TPM 300,000 with max_tokens ${MAX_TOKENS} (about ${TOKENS_PER_REQUEST} tokens a request), RPM 10,000, 300 ms latency`,
		server: { rateLimit: { rpm: 10_000, tpm: 300_000, windowMs: 1000 }, latencyMs: 300, jitterMs: 50 },
		maxTokens: MAX_TOKENS,
		floorMs: (n) => ((n * TOKENS_PER_REQUEST) / 300_000) * 60_000,
	},
	{
		name: '429-storm',
		about: 'RPM 600 and 30% of requests rejected with 429 at random, 300 ms latency; our Max Retries 10',
		server: { rateLimit: { rpm: 600, windowMs: 1000 }, latencyMs: 300, jitterMs: 50, random429Rate: 0.3 },
		ours: { maxRetries: 10 },
		floorMs: (n) => (n / 600) * 60_000,
	},
	{
		name: 'latency-bound',
		about: 'no binding limit (RPM 10,000), 300 ms latency; our Concurrency 20',
		server: { rateLimit: { rpm: 10_000, windowMs: 1000 }, latencyMs: 300, jitterMs: 50 },
		ours: { concurrency: 20 },
		floorMs: (n) => (n / 10_000) * 60_000,
	},
].filter((s) => only.length === 0 || only.includes(s.name));

function oursWorkflow(id, scenario) {
	return linearWorkflow(id, `bench ours ${scenario.name}`, [
		itemsNode(N),
		{
			name: 'Chat',
			type: 'n8n-nodes-openai-reliable.openAiReliableChat',
			credentials: { openAiReliableApi: { id: 'benchReliableCred', name: 'Reliable (bench)' } },
			onError: 'continueRegularOutput',
			parameters: {
				model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
				prompt: '={{ $json.text }}',
				options: scenario.maxTokens ? { maxTokens: scenario.maxTokens } : {},
				requestSettings: { ...(scenario.ours || {}) },
			},
		},
	]);
}

function builtinWorkflow(id, scenario) {
	return linearWorkflow(id, `bench built-in ${scenario.name}`, [
		itemsNode(N),
		{
			name: 'Chat',
			type: '@n8n/n8n-nodes-langchain.openAi',
			typeVersion: 1.8,
			credentials: { openAiApi: { id: 'benchBuiltinCred', name: 'OpenAI (bench)' } },
			retryOnFail: true,
			maxTries: 3,
			waitBetweenTries: 1000,
			parameters: {
				resource: 'text',
				operation: 'message',
				modelId: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
				messages: { values: [{ content: '={{ $json.text }}' }] },
				options: scenario.maxTokens ? { maxTokens: scenario.maxTokens } : {},
			},
		},
	]);
}

function measure(result, server) {
	const runs = result.run?.data?.resultData?.runData?.Chat ?? [];
	const wallMs = runs.reduce((sum, r) => sum + (r.executionTime || 0), 0);
	const items = nodeOutput(result.run, 'Chat')[0] ?? [];
	const answered = items.filter((i) => i.json && !i.json.error).length;
	const perItem = new Map();
	for (const r of server.requests) {
		if (r.outcome === 'completion') perItem.set(r.text, (perItem.get(r.text) || 0) + 1);
	}
	const duplicates = [...perItem.values()].filter((n) => n > 1).length;
	return {
		wallMs,
		attempts: runs.length,
		failed: N - answered,
		requests: server.requests.length,
		rateLimited: server.counts.byStatus[429] || 0,
		duplicates,
	};
}

function row(cells, widths) {
	return `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
}

async function main() {
	execSync('npm run build --silent', { stdio: 'inherit' });
	const server = await startMockOpenAi({ apiKeys: [KEY], adminKeys: [] });
	const n8n = N8nInstance.create('bench');
	await n8n.importCredentials([
		{ id: 'benchReliableCred', name: 'Reliable (bench)', type: 'openAiReliableApi', data: { apiKey: KEY, baseUrl: server.url, organizationId: '', projectId: '' } },
		{ id: 'benchBuiltinCred', name: 'OpenAI (bench)', type: 'openAiApi', data: { apiKey: KEY, url: server.url, organizationId: '', header: false } },
	]);
	const results = [];
	try {
		for (const scenario of scenarios) {
			const floorMs = scenario.floorMs(N);
			const runners = [['ours', oursWorkflow]];
			if (!args.includes('--skip-builtin')) runners.push(['n8n built-in', builtinWorkflow]);
			for (const [runner, build] of runners) {
				const id = `bench${runner === 'ours' ? 'O' : 'B'}${scenario.name.replace(/[^a-z0-9]/gi, '')}`.slice(0, 16).padEnd(16, '0');
				await n8n.importWorkflows([build(id, scenario)]);
				server.configure(scenario.server);
				process.stdout.write(`[bench] ${scenario.name}: ${runner}…\n`);
				const result = await n8n.execute(id);
				const m = measure(result, server);
				results.push({ scenario: scenario.name, runner, floorMs, ...m });
				process.stdout.write(
					`[bench]   ${(m.wallMs / 1000).toFixed(1)} s, ${(m.wallMs / floorMs).toFixed(2)}x floor, 429s ${m.rateLimited}, failed ${m.failed}, requests ${m.requests}, duplicates ${m.duplicates}\n`,
				);
			}
		}

		let memory;
		if (!args.includes('--skip-memory')) {
			server.configure({});
			server.options.record = false;
			const count = 10_000;
			const chat = linearWorkflow('benchMemoryOurs1', 'memory ours', [
				{ ...itemsNode(count) },
				{ ...oursWorkflow('x', { ours: { concurrency: 20 } }).nodes[2] },
			]);
			const baseline = linearWorkflow('benchMemoryBase1', 'memory baseline', [{ ...itemsNode(count) }]);
			await n8n.importWorkflows([chat, baseline]);
			process.stdout.write(`[bench] memory: ${count} items…\n`);
			const base = await n8n.execute('benchMemoryBase1');
			const ours = await n8n.execute('benchMemoryOurs1');
			const out = nodeOutput(ours.run, 'Chat')[0] ?? [];
			const outputBytes = Buffer.byteLength(JSON.stringify(out));
			memory = {
				count,
				answered: out.filter((i) => !i.json.error).length,
				baselineMb: base.peakRssKb / 1024,
				oursMb: ours.peakRssKb / 1024,
				outputMb: outputBytes / 1024 / 1024,
				wallMs: (ours.run?.data?.resultData?.runData?.Chat ?? []).reduce((s, r) => s + r.executionTime, 0),
			};
			server.options.record = true;
		}

		let heap = [];
		if (!args.includes('--skip-memory')) {
			process.stdout.write('[bench] memory: retained heap in-process…\n');
			const file = path.join(os.tmpdir(), `openai-reliable-memory-${Date.now()}.jsonl`);
			execSync(`node --expose-gc node_modules/.bin/jest --config bench/jest.config.js --silent`, {
				stdio: 'inherit',
				env: { ...process.env, MEMORY_BENCH_RESULT: file },
			});
			heap = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
			fs.rmSync(file, { force: true });
		}

		const widths = [14, 13, 8, 9, 6, 7, 9, 11];
		const lines = [
			'',
			`Throughput, ${N} items per run, real n8n 2.41.1, mock OpenAI on 127.0.0.1`,
			row(['scenario', 'runner', 'wall s', 'x floor', '429s', 'failed', 'requests', 'duplicates'], widths),
			row(widths.map((w) => '-'.repeat(w)), widths),
		];
		for (const scenario of scenarios) {
			const floorMs = scenario.floorMs(N);
			lines.push(row([scenario.name, 'floor', (floorMs / 1000).toFixed(1), '1.00', '', '', N, ''], widths));
			for (const r of results.filter((x) => x.scenario === scenario.name)) {
				lines.push(row([scenario.name, r.runner, (r.wallMs / 1000).toFixed(1), (r.wallMs / floorMs).toFixed(2), r.rateLimited, r.failed, r.requests, r.duplicates], widths));
			}
		}
		lines.push('');
		for (const scenario of scenarios) {
			const ours = results.find((r) => r.scenario === scenario.name && r.runner === 'ours');
			const builtin = results.find((r) => r.scenario === scenario.name && r.runner !== 'ours');
			const speedup = ours && builtin && builtin.failed < N ? ` ours is ${(builtin.wallMs / ours.wallMs).toFixed(1)}x faster than the built-in node.` : '';
			lines.push(`- ${scenario.name}: ${scenario.about}.${speedup}`);
		}
		if (memory) {
			lines.push(
				'',
				`Memory: ${memory.count} items at zero latency (Concurrency 20): n8n peak RSS ${memory.oursMb.toFixed(0)} MB with our Chat node, ` +
					`${memory.baselineMb.toFixed(0)} MB for the same items without it; the node's output is ${memory.outputMb.toFixed(1)} MB of JSON; ` +
					`${memory.answered}/${memory.count} answered in ${(memory.wallMs / 1000).toFixed(1)} s.`,
			);
		}
		for (const h of heap) {
			lines.push(
				`Retained by the Chat node after ${h.count} items (in-process, after a full GC): ${(h.retainedHeapBytes / 1e6).toFixed(1)} MB of heap for ${(h.outputBytes / 1e6).toFixed(1)} MB of output JSON.`,
			);
		}
		process.stdout.write(`${lines.join('\n')}\n`);
		const failedOurs = results.filter((r) => r.runner === 'ours' && r.failed > 0);
		process.exit(failedOurs.length ? 1 : 0);
	} finally {
		await server.close();
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
