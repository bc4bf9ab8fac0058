#!/usr/bin/env node
/**
 * npm run bench: this package in a real n8n 2.41.1 (the e2e set-up) against the project's
 * mock server, which enforces its rate limits over short windows as OpenAI does (at most
 * limit/60 requests and tokens in any one second). Side by side in one run:
 *
 * - throughput: one execution through our Chat node and through n8n's built-in OpenAI node
 *   (Message a Model, typeVersion 1.8, Retry On Fail on), against the floor N / limit;
 * - one limit per key: two executions in one n8n process, two and four n8n processes, and
 *   queue mode with two workers and four executions, all sharing one key;
 * - a small run in a warm n8n: 10 items, ours against the Basic LLM Chain with n8n's OpenAI
 *   Chat Model;
 * - the spend cap: what a capped run billed against its cap;
 * - two processes on one key at a higher limit (RPM 5,000), where their answers come at random
 *   moments of their own sending;
 * - k processes on one key, the pacer without n8n (bench/processes.js);
 * - the tokenizer (bench/tokenizer.js).
 *
 * - an outage: 60 s of 503s in the middle of a 200-item run, ours and the built-in node.
 *
 * The mock enforces and reports its limits as test/support/rate-limit-model.js describes:
 * one-second windows, refused requests counted, headers in a dialect (`bucket`, OpenAI's
 * documented meaning, by default).
 *
 * It prints tables and never asserts timings; it exits non-zero only when our node loses an
 * item. Options: --group=<throughput|higher|responses|shared|outage|small|cap|agent|batch|images|processes|tokenizer>
 * (repeatable), --items=<n>, --agentItems=<n>, --batchItems=<n>, --images=<n>, --skip-builtin,
 * --repeat=<n> (the shared group n times, with the spread of its figures: across processes
 * they vary from run to run), --dialects=bucket,scaled,none (the shared group in each; the
 * other groups use the first), --previous=<git ref> (that commit's build runs the throughput
 * and higher groups too, side by side), --trace=<dir> (the shared group writes each run's model requests
 * there as a TSV: arrival and answer in ms from the first, status, item), --headers-at=admission
 * (the mock writes its rate-limit headers as the request was let in, not as the answer leaves),
 * --pacer-trace=<dir> (with --trace: each n8n process's pacer decisions, one line per answer, beside
 * each run's requests: bench/pacer-trace.js), --scenarios=executions,2,4,queue (which of the shared
 * group's scenarios run: two executions in one process, two and four processes, queue mode).
 */
'use strict';

const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const lib = require('./lib');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');
const { withQueueMode, fire, waitForWebhook } = require('../scripts/e2e-queue');
const { priceOf } = require('../scripts/lib/prices');
const { calculatorNode } = require('../scripts/lib/n8n');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const hit = args.find((a) => a.startsWith(`--${name}=`));
	return hit ? hit.split('=')[1] : fallback;
};
const groups = args.filter((a) => a.startsWith('--group=')).map((a) => a.split('=')[1]);
const wants = (group) => groups.length === 0 || groups.includes(group);
const N = Number(option('items', 500));
const SKIP_BUILTIN = args.includes('--skip-builtin');
const REPEAT = Math.max(1, Number(option('repeat', 1)));
/** Header dialects of the mock (test/support/rate-limit-model.js): the one-execution groups use the first. */
const DIALECTS = option('dialects', 'bucket').split(',');
const DIALECT = DIALECTS[0];
/** A git ref whose build runs the throughput group next to this one (the previous commit, side by side). */
const PREVIOUS = option('previous', undefined);
/** When the mock writes its rate-limit headers: as the answer leaves, or as the request was let in (rate-limit-model.js). */
const HEADERS_AT = option('headers-at', 'answer');
/** Where the shared group writes each run's requests, for reading where the time went. */
const TRACE = option('trace', undefined);
/**
 * Where each n8n process writes its pacer's decisions, one line per answer (bench/pacer-trace.js,
 * loaded with --require); the shared group writes them beside each run's requests.
 */
const PACER_TRACE = option('pacer-trace', undefined);
/** Which of the shared group's scenarios run: two executions in one process, 2 processes, 4 processes, queue mode. */
const SHARED = option('scenarios', 'executions,2,4,queue').split(',');
if (PACER_TRACE) {
	process.env.PACER_TRACE_DIR = path.resolve(PACER_TRACE);
	process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'pacer-trace.js')}`.trim();
	fs.rmSync(path.join(process.env.PACER_TRACE_DIR, 'live'), { recursive: true, force: true });
}
/** Per shared-key scenario, the figures of every run: { ratio, serverRatio, share, failed, duplicates }. */
const sharedRuns = new Map();
const KEY = fakeKey('proj', 'bench');
const lines = [];
let oursLost = 0;

const say = (text) => process.stdout.write(`[bench] ${text}\n`);

/**
 * The mock's limits: enforced over one-second windows, refused requests counted (as OpenAI says
 * they are), headers in `dialect`. RPM 600 allows 10 requests in any one second.
 */
const limits = (extra, dialect = DIALECT) => ({ rateLimit: { dialect, countRefused: true, headersAt: HEADERS_AT, ...extra }, latencyMs: 300, jitterMs: 50 });
const RPM_600 = limits({ rpm: 600 });
const MAX_TOKENS = 400;

/**
 * The previous commit's build, for the side-by-side rows: a git worktree of `ref` in .cache/,
 * this checkout's node_modules, built once. Returns its folder.
 */
function previousBuild(ref) {
	const fs = require('node:fs');
	const root = path.join(__dirname, '..');
	const sha = execSync(`git rev-parse --short ${ref}`, { cwd: root, encoding: 'utf8' }).trim();
	const dir = path.join(root, '.cache', `previous-${sha}`);
	if (!fs.existsSync(path.join(dir, 'dist', 'nodes'))) {
		fs.rmSync(dir, { recursive: true, force: true });
		execSync(`git worktree prune && git worktree add --detach ${dir} ${sha}`, { cwd: root, stdio: 'inherit' });
		fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
		execSync('npm run build --silent', { cwd: dir, stdio: 'inherit' });
	}
	return { dir, sha };
}

/** One execution of the throughput group may take this long (the no-headers 429 storm takes about 11 min). */
const RUN_TIMEOUT_MS = 30 * 60_000;

/**
 * Runs each runner's workflow (Items → its node) once against the mock configured so, and adds
 * a row per runner to `rows`: scenario, runner, wall s, x floor, 429s (share), failed, requests,
 * duplicates. Returns each runner's wall time and failed items.
 */
async function runRunners(n8n, server, rows, { scenario, count, floorMs, serverConfig, runners }) {
	const measured = {};
	const failedBy = {};
	for (const [runner, node, instance = n8n] of runners) {
		const id = `bench${runner === 'ours' ? 'O' : runner.startsWith('ours') ? 'P' : 'B'}${scenario.replace(/[^a-z0-9]/gi, '')}`.slice(0, 16).padEnd(16, '0');
		await instance.importWorkflows([lib.linearWorkflow(id, `bench ${runner} ${scenario}`, [lib.itemsNode(count), node])]);
		server.configure(serverConfig);
		say(`${scenario}: ${runner}…`);
		const result = await instance.execute(id, { timeoutMs: RUN_TIMEOUT_MS });
		const node_ = lib.nodeFigures(result);
		const s = lib.serverFigures(server);
		const failed = count - node_.answered;
		if (runner.startsWith('ours')) oursLost += failed;
		failedBy[runner] = failed;
		const refusals = `${s.rateLimited} (${lib.pct(s.rateLimited, s.requests)})`;
		if (result.timedOut) {
			// Killed, not failed: the row says so instead of 500 failed items in 0 s.
			const killed = `killed after ${RUN_TIMEOUT_MS / 60_000} min`;
			rows.push([scenario, runner, killed, '', refusals, `${failed} unanswered`, s.requests, s.duplicates]);
			say(`  ${killed}: ${node_.answered} answered, ${s.requests} requests, 429s ${s.rateLimited}`);
			continue;
		}
		measured[runner] = node_.wallMs;
		rows.push([scenario, runner, (node_.wallMs / 1000).toFixed(1), (node_.wallMs / floorMs).toFixed(2), refusals, failed, s.requests, s.duplicates]);
		say(
			`  ${(node_.wallMs / 1000).toFixed(1)} s, ${(node_.wallMs / floorMs).toFixed(2)}x floor, 429s ${s.rateLimited}, failed ${failed}, duplicates ${s.duplicates}`,
		);
	}
	return { measured, failedBy };
}

async function throughput(n8n, server, previous) {
	/** Prompt "item-123" is about 12 tokens with the framing; each request holds that plus max_tokens. */
	const tokensPerRequest = 12 + MAX_TOKENS;
	const scenarios = [
		{ name: 'rpm-bound', about: 'RPM 600 over short windows, 300 ms ± 50 ms latency', server: RPM_600, floorMs: (n) => (n / 600) * 60_000 },
		{
			name: 'tpm-bound',
			about: `TPM 300,000 over short windows with max_tokens ${MAX_TOKENS} (about ${tokensPerRequest} tokens a request), RPM 10,000`,
			server: limits({ rpm: 10_000, tpm: 300_000 }),
			options: { maxTokens: MAX_TOKENS },
			floorMs: (n) => ((n * tokensPerRequest) / 300_000) * 60_000,
		},
		{
			name: '429-storm',
			about: 'RPM 600 over short windows plus 30% of requests rejected at random; default settings',
			server: { ...RPM_600, random429Rate: 0.3 },
			floorMs: (n) => (n / 600) * 60_000,
		},
		{
			name: 'latency-bound',
			about: 'no binding limit (RPM 10,000), 300 ms latency; our Concurrency 20',
			server: limits({ rpm: 10_000 }),
			ours: { concurrency: 20 },
			floorMs: (n) => (n / 10_000) * 60_000,
		},
	];
	const rows = [];
	const notes = [];
	for (const scenario of scenarios) {
		const floorMs = scenario.floorMs(N);
		rows.push([scenario.name, 'floor', (floorMs / 1000).toFixed(1), '1.00', '', '', N, '']);
		const runners = [['ours', lib.oursChat(scenario.options ? { options: scenario.options } : {}, scenario.ours || {})]];
		if (previous)
			runners.push([`ours @ ${previous.sha}`, lib.oursChat(scenario.options ? { options: scenario.options } : {}, scenario.ours || {}), previous.n8n]);
		if (!SKIP_BUILTIN) runners.push(['n8n built-in', lib.builtinChat(scenario.options || {})]);
		const { measured, failedBy } = await runRunners(n8n, server, rows, { scenario: scenario.name, count: N, floorMs, serverConfig: scenario.server, runners });
		const builtinFailed = failedBy['n8n built-in'] ?? 0;
		const speedup = builtinFailed
			? `; the built-in node failed ${builtinFailed} of ${N} items`
			: measured['n8n built-in'] && measured.ours
				? `; ours ${(measured['n8n built-in'] / measured.ours).toFixed(1)}x faster than the built-in node`
				: '';
		notes.push(`- ${scenario.name}: ${scenario.about}${speedup}.`);
	}
	lines.push(`\n### One execution, ${N} items (wall = the node's execution time in n8n; headers: ${DIALECT}, refused requests counted)\n`);
	lines.push(lib.table(['scenario', 'runner', 'wall s', 'x floor', '429s (share)', 'failed', 'requests', 'duplicates'], rows));
	lines.push('', ...notes);
}

/**
 * The Responses API: 200 items at RPM 600 over short windows with 30% of requests refused at
 * random, ours (Chat node version 2, API Responses) beside n8n's OpenAI node on its `response`
 * operation (with Retry On Fail), both against the floor N / RPM.
 */
async function responses(n8n, server) {
	const count = Math.min(N, 200);
	const floorMs = (count / 600) * 60_000;
	const rows = [['responses', 'floor', (floorMs / 1000).toFixed(1), '1.00', '', '', count, '']];
	const runners = [['ours (Responses)', { ...lib.oursChat({ api: 'responses' }), typeVersion: 2 }]];
	if (!SKIP_BUILTIN) runners.push(['n8n built-in (response)', lib.builtinResponses()]);
	await runRunners(n8n, server, rows, { scenario: 'responses', count, floorMs, serverConfig: { ...RPM_600, random429Rate: 0.3 }, runners });
	lines.push(`\n### The Responses API: ${count} items, RPM 600 over short windows plus 30% of requests refused at random (headers: ${DIALECT})\n`);
	lines.push(lib.table(['scenario', 'runner', 'wall s', 'x floor', '429s (share)', 'failed', 'requests', 'duplicates'], rows));
}

/** Runs several `n8n execute` processes at once; the aggregate wall spans the first node start to the last node end. */
async function parallelProcesses(n8n, ids) {
	// Each process starts its own task-runner broker: one port each.
	const results = await Promise.all(ids.map((id, k) => n8n.execute(id, { env: { N8N_RUNNERS_BROKER_PORT: String(5700 + k) } })));
	const spans = results.map((r) => lib.nodeFigures(r)).map((f) => ({ start: f.startedAt, end: f.startedAt + f.wallMs, answered: f.answered }));
	return { wallMs: Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start)), answered: spans.reduce((sum, s) => sum + s.answered, 0) };
}

/**
 * One workflow per id (Items → `node`, `itemsEach` items labelled `${prefix}${k}-…`) imported
 * into `instance`, the mock configured so, and the workflows run as `n8n execute` processes at once.
 */
async function runProcesses(instance, server, config, { ids, label, prefix, itemsEach, node }) {
	await instance.importWorkflows(ids.map((id, k) => lib.linearWorkflow(id, `${label} ${k}`, [lib.itemsNode(itemsEach, `${prefix}${k}`), node])));
	server.configure(config);
	return await parallelProcesses(instance, ids);
}

/**
 * A run of `items` against its floor, from the mock's figures: the table cells (floor s, wall s,
 * x floor, x floor (server), 429s (share), failed, duplicates) and the progress line's figures.
 */
function runFigures(server, items, floorMs, wallMs, answered) {
	const s = lib.serverFigures(server);
	const failed = items - answered;
	const ratio = (wallMs / floorMs).toFixed(2);
	const serverRatio = (s.spanMs / floorMs).toFixed(2);
	return {
		s,
		failed,
		cells: [
			(floorMs / 1000).toFixed(1),
			(wallMs / 1000).toFixed(1),
			ratio,
			serverRatio,
			`${s.rateLimited} (${lib.pct(s.rateLimited, s.requests)})`,
			failed,
			s.duplicates,
		],
		line: `${(wallMs / 1000).toFixed(1)} s, ${ratio}x floor (server ${serverRatio}x), 429s ${s.rateLimited}/${s.requests}, failed ${failed}, duplicates ${s.duplicates}`,
	};
}

async function shared(n8n, server, dialect, repeat) {
	const perExecution = 300;
	const rows = [];
	// Each repeated run draws its own latencies (the mock starts every run from its seed).
	const rpm600 = { ...limits({ rpm: 600 }, dialect), seed: 41 + repeat };
	// The pacer's aim, against which whereTimeGoes counts the seconds lost.
	const { TARGET_UTILISATION } = require('../dist/nodes/shared/limits/pace');
	const record = (name, items, wallMs, answered) => {
		const floorMs = (items / 600) * 60_000;
		const { s, failed, cells, line } = runFigures(server, items, floorMs, wallMs, answered);
		oursLost += failed;
		const phases = lib.whereTimeGoes(lib.requestsBySender(server), 600 * TARGET_UTILISATION);
		const key = `${name}|${dialect}`;
		if (!sharedRuns.has(key)) sharedRuns.set(key, []);
		sharedRuns.get(key).push({
			ratio: wallMs / floorMs,
			serverRatio: s.spanMs / floorMs,
			share: s.rateLimited / Math.max(1, s.requests),
			failed,
			duplicates: s.duplicates,
			phases,
		});
		if (TRACE) writeTrace(server, `${name}-${dialect}`);
		const lost = lib.phasesCell([phases]);
		rows.push([name, dialect, items, ...cells, lost]);
		say(`  ${name} (${dialect}): ${line}; seconds lost start / middle / end ${lost}`);
	};

	// Two executions in one n8n process: a running n8n, a webhook fired twice at once.
	async function twoExecutions() {
		const hook = lib.webhookWorkflow('benchSharedHook1', 'bench shared: webhook chat', 'bench-shared', [lib.oursChat()]);
		await n8n.importWorkflows([hook]);
		await n8n.publish(hook.id);
		const serverProcess = await n8n.startServer({ port: 5697, env: { N8N_RUNNERS_BROKER_PORT: '5698' } });
		try {
			server.configure(rpm600);
			say(`two executions in one process (${dialect})…`);
			await waitForWebhook(`${serverProcess.url}/webhook/bench-shared`);
			const started = Date.now();
			const responses = await Promise.all(['a', 'b'].map((prefix) => fire(`${serverProcess.url}/webhook/bench-shared`, prefix, perExecution)));
			record('2 executions, 1 process', 2 * perExecution, Date.now() - started, responses.flat().filter((i) => i.content !== undefined && !i.error).length);
		} finally {
			await serverProcess.stop();
		}
	}
	if (SHARED.includes('executions')) await twoExecutions();

	// Two and four n8n processes (`n8n execute` at once), nothing shared but the server, 600
	// items in all; with four, three senders or more hold whole numbers a second.
	const processes = async (name, ids, label, prefix) => {
		say(`${name} (${dialect})…`);
		const run = await runProcesses(n8n, server, rpm600, { ids, label, prefix, itemsEach: (2 * perExecution) / ids.length, node: lib.oursChat() });
		record(name, 2 * perExecution, run.wallMs, run.answered);
	};
	if (SHARED.includes('2')) await processes('2 processes', ['benchProcessOne1', 'benchProcessTwo1'], 'bench process', 'p');
	if (SHARED.includes('4'))
		await processes(
			'4 processes',
			[0, 1, 2, 3].map((k) => `benchProcFour00${k}`),
			'bench four processes',
			'f',
		);

	// Queue mode: Redis, one main, two workers, four executions of 200 items.
	const { ensureRedis } = require('../scripts/lib/redis');
	const queue = SHARED.includes('queue');
	if (queue && ensureRedis()) {
		server.configure(rpm600);
		const workflow = lib.webhookWorkflow('benchQueueHook01', 'bench queue', 'bench-queue', [lib.oursChat()]);
		await withQueueMode({ name: 'bench-queue', server, workflows: [workflow], credentials: lib.credentials(KEY, server.url) }, async ({ main }) => {
			server.configure(rpm600);
			say(`queue mode, 2 workers × 4 executions (${dialect})…`);
			await waitForWebhook(`${main.url}/webhook/bench-queue`);
			const started = Date.now();
			const responses = await Promise.all([0, 1, 2, 3].map((k) => fire(`${main.url}/webhook/bench-queue`, `q${k}`, 200)));
			record('queue: 2 workers, 4 executions', 800, Date.now() - started, responses.flat().filter((i) => i.content !== undefined && !i.error).length);
		});
	} else if (queue) {
		rows.push(['queue mode', dialect, 'skipped: no redis-server', '', '', '', '', '', '']);
	}
	lines.push(
		`\n### One key shared by executions, processes and workers (RPM 600 over one-second windows, refused requests counted, ${dialect} headers${HEADERS_AT === 'admission' ? ' written at admission' : ''}, 300 ms latency)\n`,
	);
	lines.push(
		lib.table(
			[
				'scenario',
				'headers',
				'items',
				'floor s',
				'wall s',
				'x floor',
				'x floor (server)',
				'429s (share)',
				'failed',
				'duplicates',
				'seconds lost: start / middle / end (429s)',
			],
			rows,
		),
	);
	lines.push(
		'',
		"- Wall: webhook runs from firing (once n8n has registered the webhook) to the last response, n8n's own overhead included; processes from the first node start to the last node end. Server: from the first model request's arrival at the mock to when the last answer left it, what the pacing alone takes.",
		"- Seconds lost: the server span beyond what the answered requests need at the pacer's target (96% of the limit), in the first 5 s, until the first sender (process or execution) is done, and after it (bench/lib.js, whereTimeGoes).",
	);
}

/**
 * Two `n8n execute` processes on one key at a higher limit (RPM 5,000 over one-second windows,
 * refused requests counted, bucket headers), 2,500 items each, Concurrency 31: each sends about
 * 40 requests a second, 25 ms apart, and its answers (300 ± 50 ms) come at random moments of its
 * own sending. With --previous, that commit's build runs the same, side by side.
 */
async function higher(n8n, server, previous) {
	const rpm = 5_000;
	const itemsEach = 2_500;
	const floorMs = ((2 * itemsEach) / rpm) * 60_000;
	const rows = [];
	for (const [build, instance] of [['this build', n8n], ...(previous ? [[previous.sha, previous.n8n]] : [])]) {
		say(`2 processes at RPM ${rpm} (${build})…`);
		const ids = ['benchHigherOne01', 'benchHigherTwo01'];
		const run = await runProcesses(instance, server, limits({ rpm }, 'bucket'), {
			ids,
			label: 'bench higher',
			prefix: 'h',
			itemsEach,
			node: lib.oursChat({}, { concurrency: 31 }),
		});
		const { failed, cells, line } = runFigures(server, 2 * itemsEach, floorMs, run.wallMs, run.answered);
		if (build === 'this build') oursLost += failed;
		if (TRACE) writeTrace(server, `higher-${build}`);
		rows.push([build, ...cells]);
		say(`  ${line}`);
	}
	lines.push(
		`\n### Two processes at a higher limit: ${2 * itemsEach} items, RPM ${rpm.toLocaleString('en')} over one-second windows, refused requests counted, bucket headers, Concurrency 31 each, 300 ms latency\n`,
	);
	lines.push(lib.table(['build', 'floor s', 'wall s', 'x floor', 'x floor (server)', '429s (share)', 'failed', 'duplicates'], rows));
}

/** One run's model requests as a TSV in TRACE: arrival and answer (ms from the first arrival), status, item. */
function writeTrace(server, name) {
	const requests = lib.requestsBySender(server);
	if (!requests.length) return;
	const rows = requests.map((r) => [r.at, r.done, r.status ?? '', r.item].join('\t'));
	fs.mkdirSync(TRACE, { recursive: true });
	const file = path.join(TRACE, `${name.replace(/[^\w-]+/g, '_')}-${Date.now()}.tsv`);
	fs.writeFileSync(file, `at\tdone\tstatus\titem\n${rows.join('\n')}\n`);
	say(`  trace: ${file}`);
	if (PACER_TRACE) writePacerTrace(server, file.replace(/\.tsv$/, '-pacer.tsv'));
}

/**
 * The pacer's decisions of the run just traced (bench/pacer-trace.js), every process's, in one
 * TSV, times in ms from the run's first model request (as the request trace has them).
 */
function writePacerTrace(server, file) {
	const live = path.join(PACER_TRACE, 'live');
	if (!fs.existsSync(live)) return;
	const first = Math.min(...lib.modelRequests(server).map((r) => r.at));
	const { COLUMNS } = require('./pacer-trace');
	const rows = [];
	for (const name of fs.readdirSync(live)) {
		for (const line of fs.readFileSync(path.join(live, name), 'utf8').split('\n')) {
			const cells = line.split('\t');
			if (cells.length !== COLUMNS.length || Number(cells[1]) < first - 1000) continue;
			cells[1] = String(Number(cells[1]) - first);
			cells[2] = String(Number(cells[2]) - first);
			rows.push(cells);
		}
	}
	fs.rmSync(live, { recursive: true, force: true });
	rows.sort((a, b) => Number(a[1]) - Number(b[1]));
	fs.writeFileSync(file, `${COLUMNS.join('\t')}\n${rows.map((r) => r.join('\t')).join('\n')}\n`);
	say(`  pacer trace: ${file} (${rows.length} answers)`);
}

/** The spread of the shared-key figures over --repeat runs, per scenario and header dialect. */
function sharedSpread() {
	const range = (values, format) => `${format(Math.min(...values))}–${format(Math.max(...values))}`;
	const rows = [...sharedRuns].map(([key, runs]) => {
		const [name, dialect] = key.split('|');
		return [
			name,
			dialect,
			runs.length,
			range(
				runs.map((r) => r.ratio),
				(v) => v.toFixed(2),
			),
			range(
				runs.map((r) => r.serverRatio),
				(v) => v.toFixed(2),
			),
			range(
				runs.map((r) => r.share),
				(v) => `${(v * 100).toFixed(1)}%`,
			),
			runs.reduce((sum, r) => sum + r.failed, 0),
			runs.reduce((sum, r) => sum + r.duplicates, 0),
			lib.phasesCell(runs.map((r) => r.phases)),
		];
	});
	lines.push(`\n### One key shared, in real n8n: spread over ${REPEAT} runs, refused requests counted\n`);
	lines.push(
		lib.table(
			[
				'scenario',
				'headers',
				'runs',
				'x floor (min–max)',
				'x floor, server (min–max)',
				'429s (min–max)',
				'failed (all runs)',
				'duplicates (all runs)',
				'seconds lost: start / middle / end (429s), mean',
			],
			rows,
		),
	);
}

/**
 * An outage in the middle of a run: 200 items at RPM 600 (floor 20 s); once 100 are answered,
 * the server answers 503 to everything for 60 s. Ours with its defaults, and n8n's built-in
 * OpenAI node (Retry On Fail, 3 tries, 1 s apart) side by side.
 */
async function outage(n8n, server) {
	const count = 200;
	const outageMs = 60_000;
	const floorMs = (count / 600) * 60_000;
	const rows = [];
	const runners = [['ours', lib.oursChat()]];
	if (!SKIP_BUILTIN) runners.push(['n8n built-in', lib.builtinChat()]);
	for (const [runner, node] of runners) {
		const id = `benchOutage${runner === 'ours' ? 'O' : 'B'}`.padEnd(16, '0');
		await n8n.importWorkflows([lib.linearWorkflow(id, `bench outage ${runner}`, [lib.itemsNode(count, 'outage'), node])]);
		server.configure(RPM_600);
		say(`outage: ${runner}…`);
		const pending = n8n.execute(id);
		// Once half the items are answered, the API goes down for a minute.
		for (let waited = 0; waited < 600_000; waited += 100) {
			if (server.requests.filter((r) => r.outcome === 'completion').length >= count / 2) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		server.outage({ mode: '503', ms: outageMs, now: true });
		const result = await pending;
		const node_ = lib.nodeFigures(result);
		const s = lib.serverFigures(server);
		const failed = count - node_.answered;
		if (runner === 'ours') oursLost += failed;
		const during = server.downtime.requests;
		rows.push([
			runner,
			count,
			((floorMs + outageMs) / 1000).toFixed(1),
			(node_.wallMs / 1000).toFixed(1),
			(node_.wallMs / (floorMs + outageMs)).toFixed(2),
			during,
			failed,
			s.duplicates,
		]);
		say(`  ${(node_.wallMs / 1000).toFixed(1)} s, ${during} requests during the outage, failed ${failed}, duplicates ${s.duplicates}`);
	}
	lines.push(`\n### A 60 s outage in the middle of a run: ${count} items, RPM 600 (503 to everything once half are answered)\n`);
	lines.push(lib.table(['runner', 'items', 'floor + outage s', 'wall s', 'x (floor + outage)', 'requests during the outage', 'failed', 'duplicates'], rows));
}

async function small(n8n, server) {
	const runs = 5;
	const chain = [
		{
			name: 'Basic LLM Chain',
			type: '@n8n/n8n-nodes-langchain.chainLlm',
			typeVersion: 1.9,
			parameters: { promptType: 'define', text: '={{ $json.text }}' },
		},
	];
	const model = {
		name: 'OpenAI Chat Model',
		type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
		typeVersion: 1.3,
		credentials: lib.BUILTIN_CRED,
		parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} },
		position: [600, 200],
	};
	const ours = lib.webhookWorkflow('benchSmallOurs01', 'bench small ours', 'bench-small-ours', [lib.oursChat()]);
	const theirs = lib.webhookWorkflow('benchSmallChain1', 'bench small chain', 'bench-small-chain', chain);
	theirs.nodes.push({ id: 'benchSmallChain1-model', ...model });
	theirs.connections['OpenAI Chat Model'] = { ai_languageModel: [[{ node: 'Basic LLM Chain', type: 'ai_languageModel', index: 0 }]] };
	await n8n.importWorkflows([ours, theirs]);
	await n8n.publish(ours.id);
	await n8n.publish(theirs.id);
	const serverProcess = await n8n.startServer({ port: 5697, env: { N8N_RUNNERS_BROKER_PORT: '5698' } });
	const rows = [];
	try {
		server.configure({ latencyMs: 300, jitterMs: 0 });
		for (const [name, hookPath] of [
			['ours (Chat node, defaults)', 'bench-small-ours'],
			['n8n Basic LLM Chain + OpenAI Chat Model', 'bench-small-chain'],
		]) {
			await fire(`${serverProcess.url}/webhook/${hookPath}`, 'warm', 2);
			const times = [];
			for (let r = 0; r < runs; r++) {
				const started = Date.now();
				const items = await fire(`${serverProcess.url}/webhook/${hookPath}`, `s${r}`, 10);
				times.push(Date.now() - started);
				if (items.length !== 10) throw new Error(`${name}: ${items.length} items`);
			}
			times.sort((a, b) => a - b);
			rows.push([name, (times[Math.floor(runs / 2)] / 1000).toFixed(2), (times[0] / 1000).toFixed(2), (times[runs - 1] / 1000).toFixed(2)]);
			say(`  small run, ${name}: median ${times[Math.floor(runs / 2)]} ms`);
		}
	} finally {
		await serverProcess.stop();
	}
	lines.push('\n### A small run in a warm n8n: 10 items, 300 ms latency, webhook round trip (median of 5)\n');
	lines.push(lib.table(['runner', 'median s', 'min s', 'max s'], rows));
}

/**
 * The AI Agent over a spreadsheet: items with one Calculator call each (two model calls per
 * item), RPM 600 over short windows plus 30% random 429s, our Chat Model against n8n's
 * OpenAI Chat Model (lmChatOpenAi 1.3, Chat Completions), both with Continue On Fail.
 */
async function agent(n8n, server) {
	const count = Number(option('agentItems', 200));
	const workflow = (id, model) => {
		const wf = lib.linearWorkflow(id, `bench agent ${id}`, [
			lib.itemsNode(count, 'calc 6*7 #'),
			{
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				onError: 'continueRegularOutput',
				parameters: { promptType: 'define', text: '={{ $json.text }}', options: {} },
			},
		]);
		wf.nodes.push({ id: `${id}-model`, position: [400, 220], ...model });
		wf.connections[model.name] = { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] };
		wf.nodes.push(calculatorNode(`${id}-calc`));
		wf.connections.Calculator = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
		return wf;
	};
	const runners = [
		[
			'ours (OpenAI Reliable Chat Model)',
			workflow('benchAgentOurs01', {
				name: 'OpenAI Reliable Chat Model',
				type: 'n8n-nodes-openai-reliable.openAiReliableChatModel',
				typeVersion: 1,
				credentials: lib.OURS_CRED,
				parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, options: {} },
			}),
		],
		[
			'n8n OpenAI Chat Model',
			workflow('benchAgentBuilt1', {
				name: 'OpenAI Chat Model',
				type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
				typeVersion: 1.3,
				credentials: lib.BUILTIN_CRED,
				parameters: { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, responsesApiEnabled: false, options: {} },
			}),
		],
	];
	if (SKIP_BUILTIN) runners.pop();
	const rows = [];
	const failures = [];
	const floorMs = ((2 * count) / 600) * 60_000;
	for (const [name, wf] of runners) {
		await n8n.importWorkflows([wf]);
		server.configure({ ...RPM_600, random429Rate: 0.3 });
		say(`agent: ${name}…`);
		// The Agent takes its items one by one: longer than the CLI's usual 3 minutes.
		const result = await n8n.execute(wf.id, { timeoutMs: 30 * 60_000 });
		// The Agent re-enters itself after each tool call: measure from the first model call to the Agent's last end.
		const runData = result.run?.data?.resultData?.runData ?? {};
		const runs = ['AI Agent', wf.nodes[3].name, 'Calculator'].flatMap((nodeName) => runData[nodeName] ?? []);
		const wallMs = runs.length ? Math.max(...runs.map((r) => r.startTime + (r.executionTime || 0))) - Math.min(...runs.map((r) => r.startTime)) : 0;
		const firstError = (lib.nodeOutput(result.run, 'AI Agent')[0] ?? []).find((i) => i.json && i.json.error);
		const items = lib.nodeOutput(result.run, 'AI Agent')[0] ?? [];
		const answered = items.filter((i) => i.json && typeof i.json.output === 'string' && !i.json.error).length;
		if (name.startsWith('ours')) oursLost += count - answered;
		const s = lib.serverFigures(server);
		// A duplicate call: the same conversation answered twice (a call sent again after it had succeeded).
		const answeredBodies = new Map();
		for (const r of server.requests)
			if (r.status === 200) answeredBodies.set(JSON.stringify(r.body.messages), (answeredBodies.get(JSON.stringify(r.body.messages)) || 0) + 1);
		const duplicates = [...answeredBodies.values()].filter((n) => n > 1).length;
		if (name.startsWith('ours')) oursLost += duplicates;
		rows.push([
			name,
			count,
			answered,
			count - answered,
			duplicates,
			(wallMs / 1000).toFixed(1),
			(wallMs / floorMs).toFixed(2),
			`${s.rateLimited} (${lib.pct(s.rateLimited, s.requests)})`,
			s.requests,
		]);
		if (firstError) failures.push(`- ${name}: failed items say "${String(firstError.json.error).slice(0, 160)}"`);
		say(`  answered ${answered}/${count}, ${(wallMs / 1000).toFixed(1)} s, 429s ${s.rateLimited}/${s.requests}`);
	}
	lines.push(`\n### AI Agent + Calculator, ${count} items (2 model calls each), RPM 600 over short windows + 30% random 429s\n`);
	lines.push(lib.table(['model', 'items', 'answered', 'failed', 'duplicate calls', 'wall s', 'x floor', '429s (share)', 'requests'], rows));
	if (failures.length) lines.push('', ...failures);
	lines.push(
		`\nFloor: ${2 * count} model calls at 600 per minute = ${(floorMs / 1000).toFixed(0)} s. The Agent runs its items one after another, so latency, not the limit, sets the pace for both.`,
	);
}

/**
 * Batch against Chat for the same items: requests sent, wall time and total costUsd. The mock
 * walks a batch through its stages in seconds; OpenAI takes minutes to hours.
 */
async function batch(n8n, server) {
	const count = Number(option('batchItems', 1000));
	const chat = lib.linearWorkflow('benchBatchChat01', 'bench batch: chat', [lib.itemsNode(count), lib.oursChat({ options: { maxTokens: 50 } })]);
	const batchWf = lib.linearWorkflow('benchBatchBatch1', 'bench batch: batch', [
		lib.itemsNode(count),
		{
			name: 'Batch',
			type: 'n8n-nodes-openai-reliable.openAiReliableBatch',
			credentials: lib.OURS_CRED,
			onError: 'continueRegularOutput',
			parameters: {
				operation: 'submitAndWait',
				model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
				prompt: '={{ $json.text }}',
				options: { maxTokens: 50 },
				waiting: { pollSeconds: 1 },
			},
		},
	]);
	await n8n.importWorkflows([chat, batchWf]);
	const rows = [];
	for (const [name, wf, nodeName] of [
		['Chat node', chat, 'Chat'],
		['Batch node (Submit and Wait)', batchWf, 'Batch'],
	]) {
		server.configure(RPM_600);
		server.batchScript = { stepMs: 1000 };
		say(`batch: ${name}…`);
		const result = await n8n.execute(wf.id, { timeoutMs: 10 * 60_000 });
		const figures = lib.nodeFigures(result, nodeName);
		oursLost += count - figures.answered;
		const cost = figures.items.reduce((sum, i) => sum + (Number(i.json.costUsd) || 0), 0);
		rows.push([name, count, figures.answered, server.requests.length, (figures.wallMs / 1000).toFixed(1), `$${cost.toFixed(6)}`]);
		say(`  ${figures.answered}/${count} answered, ${server.requests.length} requests, ${(figures.wallMs / 1000).toFixed(1)} s, $${cost.toFixed(6)}`);
	}
	const [chatCost, batchCost] = rows.map((r) => Number(String(r[5]).slice(1)));
	lines.push(`\n### Batch vs Chat: ${count} items, gpt-4o-mini, Max Tokens 50, RPM 600 over short windows\n`);
	lines.push(lib.table(['node', 'items', 'answered', 'HTTP requests', 'wall s', 'total costUsd'], rows));
	lines.push(
		`\nThe batch costs ${((batchCost / chatCost) * 100).toFixed(1)}% of the Chat node's price for the same tokens. Its wall time here is the mock's (a few seconds per stage); OpenAI answers batches within 24 hours, usually in minutes.`,
	);
}

/**
 * Images: 200 items with a 5 MB PNG each, read from disk by n8n's Read Files node (binary
 * data on the filesystem, as n8n keeps it by default), then our Chat node with Concurrency 5.
 * The peak resident memory of the n8n process, against the same run without the Chat node:
 * only items in flight should hold their image.
 */
async function images(n8n, server) {
	const count = Number(option('images', 200));
	const sizeMb = 5;
	const dir = path.join(n8n.userFolder, 'bench-images');
	const fs = require('node:fs');
	fs.mkdirSync(dir, { recursive: true });
	const header = Buffer.from('89504e470d0a1a0a0000000d4948445200000800000006000806000000', 'hex');
	for (let i = 0; i < count; i++) {
		const file = Buffer.alloc(sizeMb * 1024 * 1024);
		header.copy(file);
		file.writeUInt32BE(i, 64); // every file differs
		fs.writeFileSync(path.join(dir, `receipt-${String(i).padStart(3, '0')}.png`), file);
	}
	const env = { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem', N8N_RESTRICT_FILE_ACCESS_TO: dir };
	const read = {
		name: 'Read Files',
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: { operation: 'read', fileSelector: `${dir}/*.png`, options: {} },
	};
	const chat = lib.oursChat({ prompt: 'What is on this receipt?', attachments: { binaryProperties: 'data', detail: 'low' } }, { concurrency: 5 });
	await n8n.importWorkflows([
		lib.linearWorkflow('benchImagesRead1', 'bench images: read only', [read]),
		lib.linearWorkflow('benchImagesChat1', 'bench images: read and chat', [read, chat]),
	]);
	server.configure(limits({ rpm: 10_000 }));
	const rows = [];
	for (const [name, id] of [
		['read only (baseline)', 'benchImagesRead1'],
		['read + our Chat, Concurrency 5', 'benchImagesChat1'],
	]) {
		say(`images: ${name}…`);
		const result = await n8n.execute(id, { env });
		const answered = id === 'benchImagesChat1' ? lib.nodeFigures(result).answered : count;
		if (id === 'benchImagesChat1') oursLost += count - answered;
		rows.push([name, count, `${count * sizeMb} MB`, `${Math.round(result.peakRssKb / 1024)} MB`, answered]);
		say(`  peak RSS ${Math.round(result.peakRssKb / 1024)} MB, answered ${answered}`);
	}
	fs.rmSync(dir, { recursive: true, force: true });
	lines.push(`\n### Images: ${count} items × ${sizeMb} MB PNG, binary data on the filesystem\n`);
	lines.push(lib.table(['run', 'items', 'files', 'peak RSS of n8n', 'answered'], rows));
}

async function spendCap(n8n, server) {
	const cap = 0.5;
	const count = 500;
	const prompt = 'Summarise this text. '.repeat(250);
	const workflow = lib.linearWorkflow('benchSpendCap001', 'bench spend cap', [
		{ ...lib.itemsNode(count, 'cap') },
		lib.oursChat(
			{ model: { __rl: true, mode: 'list', value: 'gpt-4o' }, prompt: `={{ "${prompt}" + $json.text }}`, options: { maxTokens: 300 } },
			{ concurrency: 10, maxSpendUsd: cap },
		),
	]);
	await n8n.importWorkflows([workflow]);
	server.configure({ latencyMs: 100, jitterMs: 20 });
	say('spend cap…');
	const result = await n8n.execute(workflow.id);
	const figures = lib.nodeFigures(result);
	const completions = server.requests.filter((r) => r.outcome === 'completion');
	const billed = completions.reduce((sum, r) => sum + priceOf(r.body.model, r.usage), 0);
	const notSent = figures.items.filter((i) => i.json.notSent === true).length;
	const lost = count - figures.answered - notSent;
	oursLost += Math.max(0, lost) + (completions.length - figures.answered);
	const worst = Math.max(...figures.items.filter((i) => i.json.costUsd).map((i) => i.json.costUsd));
	lines.push(`\n### Spend cap: ${count} items of about 1,300 tokens to gpt-4o, Max Tokens 300, Concurrency 10, cap $${cap.toFixed(2)}\n`);
	lines.push(
		lib.table(
			['answered', 'not sent', 'billed (mock usage x price)', 'billed / cap', 'unused headroom', 'lost answers'],
			[
				[
					figures.answered,
					notSent,
					`$${billed.toFixed(4)}`,
					`${((billed / cap) * 100).toFixed(1)}%`,
					`$${(cap - billed).toFixed(4)}`,
					completions.length - figures.answered,
				],
			],
		),
	);
	lines.push('', `- One answer cost up to $${worst.toFixed(4)}; the headroom left is what the worst-case reservations of the last items in flight needed.`);
	say(`  spend cap: billed $${billed.toFixed(4)} of $${cap}, ${figures.answered} answered, ${notSent} not sent`);
}

async function main() {
	execSync('npm run build --silent', { stdio: 'inherit' });
	const server = await startMockOpenAi({ apiKeys: [KEY], adminKeys: [] });
	const n8n = lib.N8nInstance.create('bench');
	await n8n.importCredentials(lib.credentials(KEY, server.url));
	lines.push(
		`Benchmark, real n8n 2.41.1, mock OpenAI on 127.0.0.1 enforcing limits over one-second windows, refused requests counted; ${new Date().toISOString().slice(0, 10)}`,
	);
	try {
		let previous;
		if (PREVIOUS && (wants('throughput') || wants('higher'))) {
			const build = previousBuild(PREVIOUS);
			const instance = lib.N8nInstance.create('bench-previous', build.dir);
			await instance.importCredentials(lib.credentials(KEY, server.url));
			previous = { sha: build.sha, n8n: instance };
		}
		if (wants('throughput')) await throughput(n8n, server, previous);
		if (wants('higher')) await higher(n8n, server, previous);
		if (wants('shared')) for (const dialect of DIALECTS) for (let run = 1; run <= REPEAT; run++) await shared(n8n, server, dialect, run);
		if (wants('shared') && (REPEAT > 1 || DIALECTS.length > 1)) sharedSpread();
		if (wants('responses')) await responses(n8n, server);
		if (wants('outage')) await outage(n8n, server);
		if (wants('small')) await small(n8n, server);
		if (wants('cap')) await spendCap(n8n, server);
		if (wants('agent')) await agent(n8n, server);
		if (wants('batch')) await batch(n8n, server);
		if (wants('images')) await images(n8n, server);
	} finally {
		await server.close();
	}
	if (wants('processes')) {
		lines.push(
			"\n### k processes on one key: the pacer without n8n, on the simulator's virtual clock (RPM 600 over one-second windows, refused requests counted, 300 ms latency)\n",
		);
		lines.push(execSync(`node ${path.join(__dirname, 'processes.js')} --table --seeds=${Math.max(3, REPEAT)}`, { encoding: 'utf8' }).trim());
	}
	if (wants('tokenizer')) {
		lines.push('\n### Tokenizer\n');
		lines.push(execSync(`node ${path.join(__dirname, 'tokenizer.js')} --table`, { encoding: 'utf8' }).trim());
	}
	process.stdout.write(`\n${lines.join('\n')}\n`);
	process.exit(oursLost ? 1 : 0);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
