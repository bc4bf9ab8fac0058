/**
 * The pacing simulator: n8n processes that share one key, on a virtual clock, against the
 * rate-limit model of rate-limit-model.js (the claim the HTTP mock makes too). A minute of
 * four processes runs in well under a second, so pacing designs can be compared over many
 * runs, and tests can assert what a design does without timing anything.
 *
 * What is simulated, and what is not:
 * - Each process has its own pacer (the package's KeyRateLimiter, given the virtual clock),
 *   as separate n8n processes do; executions in one process share it.
 * - Each execution sends its items through `concurrency` lanes, one attempt after another,
 *   retrying as the transport does (retryDelay, Max Retries, Max Wait) and telling the
 *   pacer what each answer said, headers included.
 * - The server answers after `latencyMs` ± `jitterMs` (a refusal after 2 ms), with the
 *   model's headers at the moment it answers, or as they were when it admitted the request
 *   (`limits.headersAt: 'admission'`; OpenAI does not say which, see rate-limit-model.js). Random
 *   429s (`random429Rate`) stand for an overloaded server, whatever the load.
 * - The road between the pacer and the server (`clientDelayMs`, default 0): a request reaches
 *   the server between 0 and that many ms after the pacer let it go, and its answer reaches
 *   the pacer as long after the server sent it, at random: the network, and an event loop
 *   busy with other work. Requests let go evenly arrive bunched, and answers are read late.
 *   In real n8n on a loaded 2-core machine, 25–50 ms reproduces what the bench measures.
 * - Stalls (`stalls: { everyMs, maxMs }`): each process's event loop stops now and then (garbage
 *   collection, another execution's work), on average every `everyMs`, for up to `maxMs`; a
 *   timer of that process due in a stall fires when it ends, and answers are read then.
 * - Not simulated: n8n itself (its start-up), and the transport's other failure kinds.
 *
 * The package's modules are passed in (from dist/ for the bench, from the TypeScript
 * source for jest), so the simulator measures the code that ships.
 */
'use strict';

const { RateLimitModel } = require('./rate-limit-model');
const { mulberry32: seeded } = require('./random');

/** A clock whose time moves only from one timer to the next. */
class VirtualClock {
	constructor() {
		this.t = 0;
		this.seq = 0;
		/** A binary heap of timers by time, then by order of creation. */
		this.heap = [];
		this.now = () => this.t;
		this.sleep = (ms, signal) =>
			new Promise((resolve, reject) => {
				if (signal?.aborted) {
					reject(new Error('aborted'));
					return;
				}
				const timer = { at: this.t + Math.max(0, Number.isFinite(ms) ? ms : 0), seq: this.seq++, resolve, cancelled: false };
				this.push(timer);
				signal?.addEventListener(
					'abort',
					() => {
						timer.cancelled = true;
						reject(new Error('aborted'));
					},
					{ once: true },
				);
			});
	}

	before(a, b) {
		return a.at < b.at || (a.at === b.at && a.seq < b.seq);
	}

	push(timer) {
		const h = this.heap;
		h.push(timer);
		for (let i = h.length - 1; i > 0; ) {
			const parent = (i - 1) >> 1;
			if (!this.before(h[i], h[parent])) break;
			[h[i], h[parent]] = [h[parent], h[i]];
			i = parent;
		}
	}

	pop() {
		const h = this.heap;
		const top = h[0];
		const last = h.pop();
		if (h.length) {
			h[0] = last;
			for (let i = 0; ; ) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < h.length && this.before(h[l], h[m])) m = l;
				if (r < h.length && this.before(h[r], h[m])) m = r;
				if (m === i) break;
				[h[i], h[m]] = [h[m], h[i]];
				i = m;
			}
		}
		return top;
	}

	/** Runs until `done()` or no timer is left (or `limitMs` of virtual time has passed). */
	async run(done, limitMs = 3_600_000) {
		for (;;) {
			// Let every promise chain that can move do so before time moves on.
			await new Promise((resolve) => setImmediate(resolve));
			if (done()) return;
			let timer;
			do timer = this.heap.length ? this.pop() : undefined;
			while (timer && timer.cancelled);
			if (!timer) return;
			if (timer.at > limitMs) throw new Error(`the simulation ran past ${limitMs} ms of virtual time`);
			this.t = Math.max(this.t, timer.at);
			timer.resolve();
		}
	}
}

/**
 * A process's view of the clock: its event loop stalls now and then, and a timer due during a
 * stall fires when the stall ends. Without stalls, the clock itself.
 */
function processClock(clock, stalls, random) {
	if (!stalls) return clock;
	const windows = [];
	let nextStart = random() * 2 * stalls.everyMs;
	const stalledUntil = (t) => {
		while (nextStart <= t) {
			const end = nextStart + random() * stalls.maxMs;
			windows.push({ start: nextStart, end });
			nextStart = end + random() * 2 * stalls.everyMs;
		}
		while (windows.length && windows[0].end < t - 60_000) windows.shift();
		const hit = windows.find((w) => w.start <= t && t < w.end);
		return hit ? hit.end : t;
	};
	return {
		now: clock.now,
		random: clock.random,
		sleep: (ms, signal) => {
			const due = clock.now() + Math.max(0, Number.isFinite(ms) ? ms : 0);
			return clock.sleep(stalledUntil(due) - clock.now(), signal);
		},
	};
}

/**
 * @typedef {object} Execution
 * @property {number} items
 * @property {number} [startAtMs]
 * @property {number} [concurrency]     default 10, the node's default
 *
 * @typedef {object} Scenario
 * @property {Array<{ executions: Execution[] }>} processes
 * @property {import('./rate-limit-model').RateLimitOptions} limits
 * @property {number} [latencyMs]       default 300
 * @property {number} [jitterMs]        default 50
 * @property {number} [clientDelayMs]   each way, at random from 0 to this; default 0
 * @property {{ everyMs: number, maxMs: number }} [stalls]  each process's event loop stops now and then
 * @property {number} [random429Rate]
 * @property {number} [tokens]          per request (prompt plus max output), default 20
 * @property {number} [maxRetries]      default 10
 * @property {number} [maxWaitMs]       default 60 000
 * @property {number} [seed]
 */

/**
 * Runs a scenario. `modules`: { KeyRateLimiter, parseRateLimitHeaders, retryDelay } from
 * the package. Returns what the server saw and how long it took, in virtual time.
 * @param {Scenario} scenario
 */
async function simulate(modules, scenario) {
	const { KeyRateLimiter, parseRateLimitHeaders, retryDelay } = modules;
	const clock = new VirtualClock();
	const random = seeded(scenario.seed ?? 1);
	// The pacers' own draws (Clock.random: when a share probes without headers), seeded apart from the road's and the server's.
	const pacerRandom = seeded((scenario.seed ?? 1) * 7919);
	clock.random = pacerRandom;
	const server = new RateLimitModel(scenario.limits);
	const latency = scenario.latencyMs ?? 300;
	const jitter = scenario.jitterMs ?? 50;
	const clientDelay = scenario.clientDelayMs ?? 0;
	/** The way to or from the server, on a process's clock (a stall holds it); no timer at all without delay or stalls, as before they existed. */
	const road = (own) => (clientDelay || own !== clock ? own.sleep(clientDelay ? random() * clientDelay : 0) : Promise.resolve());
	const tokens = scenario.tokens ?? 20;
	const maxRetries = scenario.maxRetries ?? 10;
	const maxWaitMs = scenario.maxWaitMs ?? 60_000;
	const stats = { requests: 0, rateLimited: 0, randomRefusals: 0, answered: 0, failed: 0, firstAt: Infinity, lastAt: 0 };
	/** Every request as the server saw it: when it arrived, when its answer left, whether it was refused, and whose (the process's index). */
	const trace = [];
	const perProcess = [];
	let running = 0;

	/** One request at the server from process `sender`: refused at once, or answered after the latency. */
	const send = async (own, sender) => {
		await road(own);
		const at = clock.now();
		stats.requests++;
		stats.firstAt = Math.min(stats.firstAt, at);
		const seen = { at, done: at, refused: true, sender };
		trace.push(seen);
		const denied = server.take(tokens, at);
		if (denied) {
			await clock.sleep(2);
			seen.done = clock.now();
			const hint = Math.max(1, Math.ceil(denied.waitMs < 0 ? 1000 : denied.waitMs));
			return { status: 429, headers: { ...server.headers(clock.now()), 'retry-after-ms': String(hint) }, hint };
		}
		if (scenario.random429Rate && random() < scenario.random429Rate) {
			await clock.sleep(2);
			seen.done = clock.now();
			const hint = 50 + Math.floor(random() * 200);
			stats.randomRefusals++;
			return { status: 429, headers: { ...server.headers(clock.now()), 'retry-after-ms': String(hint) }, hint };
		}
		const admitted = server.headersAt === 'admission' ? server.headers(clock.now()) : undefined;
		await clock.sleep(Math.max(0, latency + (random() * 2 - 1) * jitter));
		seen.done = clock.now();
		seen.refused = false;
		return { status: 200, headers: admitted ?? server.headers(clock.now()) };
	};

	const runExecution = async (limiter, own, execution, record, sender) => {
		await clock.sleep(execution.startAtMs ?? 0);
		let next = 0;
		const lane = async () => {
			while (next < execution.items) {
				next++;
				for (let attempt = 0; ; attempt++) {
					const permit = await limiter.acquire('gpt-4o-mini', { tokens });
					const answer = await send(own, sender);
					await road(own);
					const snapshot = parseRateLimitHeaders(answer.headers);
					if (answer.status === 200) {
						limiter.release(permit, { kind: 'answered', snapshot });
						stats.answered++;
						record.answered++;
						break;
					}
					stats.rateLimited++;
					limiter.release(permit, { kind: 'rate_limited', snapshot, retryAfterMs: Math.min(answer.hint, maxWaitMs) });
					if (attempt >= maxRetries) {
						stats.failed++;
						record.failed++;
						break;
					}
					await own.sleep(retryDelay(attempt, answer.hint, maxWaitMs, true, random).waitMs);
				}
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, execution.concurrency ?? 10) }, lane));
		record.doneAt = clock.now();
		stats.lastAt = Math.max(stats.lastAt, clock.now());
	};

	const all = [];
	for (const process_ of scenario.processes) {
		const own = scenario.stalls ? processClock(clock, scenario.stalls, seeded((scenario.seed ?? 1) * 104_729 + perProcess.length)) : clock;
		const limiter = new KeyRateLimiter(own);
		const record = { answered: 0, failed: 0, doneAt: 0, limiter };
		const sender = perProcess.length;
		perProcess.push(record);
		for (const execution of process_.executions) {
			running++;
			all.push(
				runExecution(limiter, own, execution, record, sender).finally(() => {
					running--;
				}),
			);
		}
	}
	await clock.run(() => running === 0);
	await Promise.all(all);
	const items = scenario.processes.reduce((sum, p) => sum + p.executions.reduce((s, e) => s + e.items, 0), 0);
	const limitPerMs = scenario.limits.rpm ? scenario.limits.rpm / 60_000 : Infinity;
	const floorMs = items / limitPerMs;
	const wallMs = stats.lastAt - Math.min(stats.firstAt, ...scenario.processes.flatMap((p) => p.executions.map((e) => e.startAtMs ?? 0)));
	return {
		...stats,
		items,
		floorMs,
		wallMs,
		ratio: wallMs / floorMs,
		share429: stats.rateLimited / Math.max(1, stats.requests),
		trace,
		perProcess: perProcess.map((p) => {
			const view = p.limiter.view('gpt-4o-mini');
			return { answered: p.answered, failed: p.failed, doneAt: p.doneAt, pace: view?.pace, reading: view?.reading };
		}),
	};
}

module.exports = { simulate, VirtualClock, seeded };
