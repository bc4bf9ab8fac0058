/**
 * What the benchmark groups share: workflows for our nodes and n8n's built-in ones, runs in
 * one-off processes (`n8n execute`) and in a running n8n (webhooks), and the figures taken
 * from the mock server. Timings are printed, never asserted.
 */
'use strict';

const { N8nInstance, nodeOutput, linearWorkflow, itemsNode, webhookWorkflow } = require('../scripts/lib/n8n');

const OURS_CRED = { openAiReliableApi: { id: 'benchReliableCred', name: 'Reliable (bench)' } };
const BUILTIN_CRED = { openAiApi: { id: 'benchBuiltinCred', name: 'OpenAI (bench)' } };

function credentials(key, url) {
	return [
		{ id: 'benchReliableCred', name: 'Reliable (bench)', type: 'openAiReliableApi', data: { apiKey: key, baseUrl: url, organizationId: '', projectId: '' } },
		{ id: 'benchBuiltinCred', name: 'OpenAI (bench)', type: 'openAiApi', data: { apiKey: key, url, organizationId: '', header: false } },
	];
}

/** Our Chat node; `parameters` merge into the defaults. */
function oursChat(parameters = {}, settings = {}) {
	return {
		name: 'Chat',
		type: 'n8n-nodes-openai-reliable.openAiReliableChat',
		credentials: OURS_CRED,
		onError: 'continueRegularOutput',
		parameters: {
			model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' },
			prompt: '={{ $json.text }}',
			requestSettings: settings,
			...parameters,
		},
	};
}

/** n8n's built-in OpenAI node (resource Text) at a type version, with Retry On Fail, as a user sets it to ride out errors. */
function builtinOpenAi(typeVersion, parameters) {
	return {
		name: 'Chat',
		type: '@n8n/n8n-nodes-langchain.openAi',
		typeVersion,
		credentials: BUILTIN_CRED,
		retryOnFail: true,
		maxTries: 3,
		waitBetweenTries: 1000,
		parameters: { resource: 'text', modelId: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, ...parameters },
	};
}

/** n8n's built-in OpenAI node, "Message a Model" (it calls /chat/completions too), with Retry On Fail. */
function builtinChat(options = {}) {
	return builtinOpenAi(1.8, { operation: 'message', messages: { values: [{ content: '={{ $json.text }}' }] }, options });
}

/** n8n's built-in OpenAI node on the Responses API ("Message a Model", v2 operation `response`), with Retry On Fail. */
function builtinResponses() {
	return builtinOpenAi(2.1, { operation: 'response', responses: { values: [{ type: 'text', role: 'user', content: '={{ $json.text }}' }] }, options: {} });
}

/** The model requests the mock received (chat completions and responses), in order. */
function modelRequests(server) {
	return server.requests.filter((r) => r.path === '/chat/completions' || r.path === '/responses');
}

/**
 * The mock's model requests from the first one's arrival: when each arrived and when its answer
 * left (ms), its status and item label, whether it was refused, and whose it was (the label up
 * to its last "-": the prefix of its process or execution). What whereTimeGoes reads, and what
 * the bench's traces hold.
 */
function requestsBySender(server) {
	const model = modelRequests(server);
	const first = Math.min(...model.map((r) => r.at));
	return model.map((r) => ({
		at: r.at - first,
		done: (r.doneAt ?? r.at) - first,
		status: r.status,
		item: r.text ?? '',
		refused: r.status === 429,
		sender: String(r.text ?? '').replace(/-[^-]*$/, ''),
	}));
}

/** The mock's view of a run: requests, 429s, and items answered more than once. */
function serverFigures(server) {
	const perItem = new Map();
	for (const r of server.requests) if (r.outcome === 'completion') perItem.set(r.text, (perItem.get(r.text) || 0) + 1);
	const model = modelRequests(server);
	return {
		requests: model.length,
		// The server's side of the run: from the first model request's arrival to when the last answer left.
		spanMs: model.length ? Math.max(...model.map((r) => r.doneAt ?? r.at)) - Math.min(...model.map((r) => r.at)) : 0,
		rateLimited: server.counts.byStatus[429] || 0,
		duplicates: [...perItem.values()].filter((n) => n > 1).length,
		answered: perItem.size,
	};
}

/** Node execution time and the answered items of a `n8n execute` result. */
function nodeFigures(result, nodeName = 'Chat') {
	const runs = result.run?.data?.resultData?.runData?.[nodeName] ?? [];
	const items = nodeOutput(result.run, nodeName)[0] ?? [];
	return {
		wallMs: runs.reduce((sum, r) => sum + (r.executionTime || 0), 0),
		startedAt: runs[0]?.startTime,
		items,
		// Ours puts the answer in content, n8n's OpenAI node in message.content.
		answered: items.filter((i) => i.json && !i.json.error && (i.json.content !== undefined || i.json.message?.content !== undefined)).length,
	};
}

function row(cells, widths) {
	return `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
}

function table(header, rows) {
	const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
	return [
		row(header, widths),
		row(
			widths.map((w) => '-'.repeat(w)),
			widths,
		),
		...rows.map((r) => row(r, widths)),
	].join('\n');
}

/**
 * Where a run of several senders on one key lost its time: the seconds its wall took beyond
 * what its answered requests need at `targetPerMinute` (the pacer's aim, 96% of the limit),
 * and the requests refused, in three phases:
 * - `start`: the first `startMs`, while the senders find the limit and each other;
 * - `middle`: from then until the first sender is done (its last answer), all of them sending;
 * - `end`: after that, while the others must take its room, up to the last answer.
 * Each request counts in the phase it arrived in. `requests`: { at, done, refused, sender }, in ms
 * from the start of the run (when the first sender started).
 */
function whereTimeGoes(requests, targetPerMinute, startMs = 5_000) {
	const perMs = targetPerMinute / 60_000;
	const done = new Map();
	for (const r of requests) if (!r.refused) done.set(r.sender, Math.max(done.get(r.sender) ?? 0, r.done));
	const firstDone = Math.min(...done.values());
	const lastDone = Math.max(...done.values());
	const phase = (from, to, last = false) => {
		const within = requests.filter((r) => r.at >= from && (last || r.at < to));
		const answered = within.filter((r) => !r.refused).length;
		return { lostS: (to - from - answered / perMs) / 1000, refused: within.length - answered };
	};
	const split = Math.min(startMs, firstDone);
	return { start: phase(0, split), middle: phase(split, firstDone), end: phase(firstDone, lastDone, true) };
}

/** The cell "2.1 / 3.0 / 5.4 s (23 / 21 / 0)" of whereTimeGoes' phases, or of their means over runs. */
function phasesCell(runs) {
	const mean = (pick) => runs.reduce((sum, run) => sum + pick(run), 0) / runs.length;
	const phases = ['start', 'middle', 'end'];
	// + 0 turns a -0.0 into 0.0.
	const lost = phases.map((p) => (Math.round(mean((run) => run[p].lostS) * 10) / 10 + 0).toFixed(1)).join(' / ');
	const refused = phases.map((p) => Math.round(mean((run) => run[p].refused))).join(' / ');
	return `${lost} s (${refused})`;
}

/** A percentage with one decimal. */
const pct = (part, whole) => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '0%');

module.exports = {
	N8nInstance,
	linearWorkflow,
	itemsNode,
	webhookWorkflow,
	nodeOutput,
	credentials,
	oursChat,
	builtinChat,
	builtinResponses,
	modelRequests,
	requestsBySender,
	serverFigures,
	nodeFigures,
	table,
	pct,
	whereTimeGoes,
	phasesCell,
	OURS_CRED,
	BUILTIN_CRED,
};
