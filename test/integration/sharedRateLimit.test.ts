/**
 * One rate limit per key: executions in one process share one limiter, other processes are
 * coordinated through the server's answers (AIMD). Against the mock's short-window
 * enforcement (at most RPM/60 requests in any one second), as OpenAI enforces.
 * Counts are asserted, never timings.
 */
import { sleep } from 'n8n-workflow';

import { KeyRateLimiter, type ReleaseOutcome } from '../../nodes/shared/limits/rateLimiter';
import { IdleRegistry, rateLimitIdentity } from '../../nodes/shared/limits/registry';
import { parseRateLimitHeaders } from '../../nodes/shared/transport/headers';
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { apiCredential, execute, freshProcessState, items, PROJECT_KEY, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;
beforeAll(async () => {
	server = await startServer({ latencyMs: 30 });
});
afterAll(async () => await server.close());
beforeEach(() => {
	server.reset();
	freshProcessState();
});

const RPM = 1200;

function run(prefix: string, count: number, extra: { signal?: AbortSignal; settings?: Record<string, unknown> } = {}) {
	return execute(node, {
		items: items(count, (i) => `${prefix}-${i}`),
		continueOnFail: true,
		keepProcessState: true,
		signal: extra.signal,
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: { concurrency: 10, maxWaitSeconds: 5, ...extra.settings },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
}

const share429 = () => (server.counts.byStatus[429] ?? 0) / Math.max(1, server.requests.length);

test('two executions in one process share one limiter: few 429s, every item answered once', async () => {
	server.setRateLimit({ rpm: RPM, shortWindow: true });
	const [a, b] = await Promise.all([run('a', 60), run('b', 60)]);
	for (const [prefix, result] of [['a', a], ['b', b]] as const) {
		expect(result.error).toBeUndefined();
		result.output[0].forEach((item, i) => {
			expect(item.json.content).toBe(`Echo: ${prefix}-${i}`);
			expect(item.pairedItem).toEqual({ item: i });
		});
	}
	// Two separate pacers at 95% each would send at about 190% of the limit (23% 429s measured).
	expect(share429()).toBeLessThan(0.03);
	for (let i = 0; i < 60; i++) {
		expect(server.requestsOf(`a-${i}`).filter((r) => r.outcome === 'completion')).toHaveLength(1);
		expect(server.requestsOf(`b-${i}`).filter((r) => r.outcome === 'completion')).toHaveLength(1);
	}
});

test('the Requests per Minute Cap is shared by executions that set it: never exceeded in any second', async () => {
	const cap = 300;
	// The first request of a fresh process reaches the server tens of ms late (JIT, a new
	// connection); in a running n8n the connections are warm.
	await run('warm-up', 1);
	server.reset();
	const [a, b] = await Promise.all([run('a', 12, { settings: { requestsPerMinute: cap } }), run('b', 12, { settings: { requestsPerMinute: cap } })]);
	expect(a.error).toBeUndefined();
	expect(b.error).toBeUndefined();
	const starts = server.requests.map((r) => r.at).sort((x, y) => x - y);
	let most = 0;
	for (let i = 0; i < starts.length; i++) {
		const inWindow = starts.filter((at) => at > starts[i] - 1000 && at <= starts[i]).length;
		most = Math.max(most, inWindow);
	}
	expect(most).toBeLessThanOrEqual(cap / 60);
});

test('cancelling one execution does not disturb the other', async () => {
	server.setRateLimit({ rpm: RPM, shortWindow: true });
	const controller = new AbortController();
	const cancelled = run('a', 80, { signal: controller.signal });
	const other = run('b', 40);
	while (server.requests.length < 10) await sleep(5);
	controller.abort();
	const [first, second] = await Promise.all([cancelled, other]);
	expect(first.error?.message).toMatch(/cancelled/);
	expect(second.error).toBeUndefined();
	second.output[0].forEach((item, i) => expect(item.json.content).toBe(`Echo: b-${i}`));
	const sentForA = server.requests.filter((r) => r.text?.startsWith('a-')).length;
	expect(sentForA).toBeLessThan(80);
});

test('a wrong key costs one request: the first goes alone, and nothing follows the 401', async () => {
	const result = await execute(node, {
		items: items(10),
		continueOnFail: true,
		parameters: { model: { mode: 'list', value: 'gpt-4o-mini' }, prompt: (_: number, item: { text?: unknown }) => item.text },
		credentials: { openAiReliableApi: apiCredential(server, { apiKey: PROJECT_KEY.replace(/.$/, 'x') }) },
	});
	expect(result.output[0]).toHaveLength(10);
	expect(result.output[0].every((item) => /rejected the API key/.test(String(item.json.error)))).toBe(true);
	expect(server.requests).toHaveLength(1);
});

test('rate-limit retries wait the server hint plus a growing backoff', async () => {
	server.script({
		match: () => true,
		times: 3,
		respond: {
			status: 429,
			headers: { 'retry-after-ms': '20', 'x-ratelimit-remaining-requests': '500', 'x-ratelimit-limit-requests': '600' },
			body: { error: { message: 'Rate limit reached. Please try again in 20ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
		},
	});
	const result = await run('x', 1);
	const item = result.output[0][0].json;
	expect(item.content).toBe('Echo: x-0');
	expect(item.retries).toBe(3);
	expect(item.retryLog).toEqual([
		expect.stringMatching(/^attempt 1: HTTP 429 rate_limit_exceeded; waited .* \(the server's wait plus backoff\)$/),
		expect.stringMatching(/^attempt 2: /),
		expect.stringMatching(/^attempt 3: /),
	]);
	// Each wait is at least the hint; the backoff on top is random, so only its floor is asserted.
	const [first, second, third, fourth] = server.requests.map((r) => r.at);
	expect(second - first).toBeGreaterThanOrEqual(20);
	expect(third - second).toBeGreaterThanOrEqual(20);
	expect(fourth - third).toBeGreaterThanOrEqual(20);
});

describe('across processes: the server is the coordinator', () => {
	/** A stand-in for one n8n process: its own limiter, sending `count` requests with concurrency 5. */
	async function simulatedProcess(limiter: KeyRateLimiter, name: string, count: number) {
		let next = 0;
		const lane = async () => {
			while (next < count) {
				const i = next++;
				for (;;) {
					const permit = await limiter.acquire('gpt-4o-mini', { tokens: 20 });
					const response = await fetch(`${server.url}/chat/completions`, {
						method: 'POST',
						headers: { authorization: `Bearer ${PROJECT_KEY}`, 'content-type': 'application/json' },
						body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${name}-${i}` }] }),
					});
					await response.text();
					const headers = Object.fromEntries(response.headers.entries());
					const snapshot = parseRateLimitHeaders(headers);
					const outcome: ReleaseOutcome =
						response.status === 429
							? { kind: 'rate_limited', snapshot, retryAfterMs: Number(headers['retry-after-ms'] ?? 100) }
							: { kind: 'answered', snapshot };
					limiter.release(permit, outcome);
					if (response.status === 200) break;
					await sleep(Number(headers['retry-after-ms'] ?? 100));
				}
			}
		};
		await Promise.all(Array.from({ length: 5 }, lane));
	}

	test('two processes with their own limiters converge below the limit together (AIMD)', async () => {
		server.setRateLimit({ rpm: RPM, shortWindow: true });
		const one = new KeyRateLimiter();
		const two = new KeyRateLimiter();
		await Promise.all([simulatedProcess(one, 'p1', 150), simulatedProcess(two, 'p2', 150)]);
		const completed = server.requests.filter((r) => r.outcome === 'completion').length;
		expect(completed).toBe(300);
		// Each alone would aim at 95% of the limit; together they must have backed off.
		const paces = [one.view('gpt-4o-mini')!.pace, two.view('gpt-4o-mini')!.pace];
		expect(paces[0]).toBeLessThan(1);
		expect(paces[1]).toBeLessThan(1);
		expect(paces[0] + paces[1]).toBeLessThan(1.6);
		expect(share429()).toBeLessThan(0.1);
	});

	/**
	 * A process at its own target rate (its full per-second share) whose answers follow `pattern`
	 * (true: a 429 with the budget spent). Its answers' headers count only its own requests of
	 * the last second, so they show no one else spending: only the 429s tell.
	 */
	async function atFullShare(pattern: boolean[]): Promise<number> {
		const limiter = new KeyRateLimiter();
		const starts: number[] = [];
		const ownWindow = () => {
			const now = Date.now();
			return { limitRequests: 600, remainingRequests: Math.max(0, 600 - 60 * starts.filter((at) => at > now - 1000).length) };
		};
		// A second of answers first: the local view then holds a full second of its own starts.
		for (const spent of [...new Array<boolean>(11).fill(false), ...pattern]) {
			const permit = await limiter.acquire('m', { tokens: 10 });
			starts.push(Date.now());
			limiter.release(
				permit,
				spent
					? { kind: 'rate_limited', snapshot: { limitRequests: 600, remainingRequests: 0 }, retryAfterMs: 10 }
					: { kind: 'answered', snapshot: ownWindow() },
			);
		}
		return limiter.view('m')!.pace;
	}

	test('a process sending its full share that keeps seeing a spent budget slows down (two workers at full rate)', async () => {
		// Two workers at full rate: every other answer is a 429 with the budget spent.
		expect(await atFullShare(Array.from({ length: 40 }, (_, i) => i % 2 === 1))).toBeLessThan(1);
	});

	test('a storm of 429s at 30% (an overloaded server, not a second process) does not slow a process down', async () => {
		// Spent budget in 3 of every 10 answers, as when 30% of requests are rejected whatever the load.
		expect(await atFullShare(Array.from({ length: 40 }, (_, i) => i % 10 === 2 || i % 10 === 5 || i % 10 === 8))).toBe(1);
	});

	/**
	 * Answers on a simulated clock, every 100 ms for `ms`, released without requests of this
	 * process: whatever the server counts in the window is someone else's.
	 */
	function answers(limiter: KeyRateLimiter, clock: { now: number }, ms: number, remainingRequests: number): void {
		for (const end = clock.now + ms; clock.now < end; clock.now += 100) {
			limiter.release({ bucket: 'm', tokens: 10 }, { kind: 'answered', snapshot: { limitRequests: 600, remainingRequests } });
		}
	}

	test('headers that show another process filling the window slow this one down before any 429', () => {
		const clock = { now: 0 };
		const limiter = new KeyRateLimiter(() => clock.now);
		answers(limiter, clock, 2000, 600); // alone: the server counts nothing else
		expect(limiter.view('m')!.pace).toBe(1);
		answers(limiter, clock, 6000, 0); // the window is full, and none of it is ours
		expect(limiter.view('m')!.pace).toBeLessThan(0.9);
	});

	test('a process whose first answer shows others spending starts at a share, not at the full rate', () => {
		const clock = { now: 0 };
		const limiter = new KeyRateLimiter(() => clock.now);
		answers(limiter, clock, 100, 60); // 9 of the 10 requests a second are someone else's
		expect(limiter.view('m')!.pace).toBeLessThanOrEqual(0.5);
	});

	test('once the headers show no one else spending, the pace recovers within seconds', () => {
		const clock = { now: 0 };
		const limiter = new KeyRateLimiter(() => clock.now);
		answers(limiter, clock, 2000, 600);
		// Someone else spends: a 429 with the budget spent while this process sent nothing.
		limiter.release({ bucket: 'm', tokens: 10 }, { kind: 'rate_limited', snapshot: { limitRequests: 600, remainingRequests: 0 }, retryAfterMs: 100 });
		expect(limiter.view('m')!.pace).toBeLessThan(1);
		answers(limiter, clock, 3000, 600); // they have stopped
		expect(limiter.view('m')!.pace).toBe(1);
	});

	test('a 429 while the headers show budget left is a blip: no global slowdown', () => {
		const limiter = new KeyRateLimiter();
		return (async () => {
			const permit = await limiter.acquire('m', { tokens: 10 });
			limiter.release(permit, { kind: 'answered', snapshot: { limitRequests: 600, remainingRequests: 590 } });
			const second = await limiter.acquire('m', { tokens: 10 });
			limiter.release(second, { kind: 'rate_limited', snapshot: { limitRequests: 600, remainingRequests: 500 }, retryAfterMs: 50 });
			expect(limiter.view('m')!.pace).toBe(1);
			const third = await limiter.acquire('m', { tokens: 10 });
			limiter.release(third, { kind: 'rate_limited', snapshot: { limitRequests: 600, remainingRequests: 0 }, retryAfterMs: 50 });
			expect(limiter.view('m')!.pace).toBeLessThan(1);
		})();
	});
});

describe('the process-wide registry', () => {
	test('forgets idle entries, keeps busy ones, and never stores the key', () => {
		let now = 0;
		const registry = new IdleRegistry<{ busy: boolean; isBusy(): boolean }>(
			() => ({ busy: false, isBusy() { return this.busy; } }),
			1000,
			() => now,
		);
		const idle = rateLimitIdentity({ baseUrl: 'https://api.openai.com/v1', apiKey: PROJECT_KEY });
		const busy = rateLimitIdentity({ baseUrl: 'https://api.openai.com/v1', apiKey: PROJECT_KEY, projectId: 'proj_x' });
		expect(idle).not.toContain(PROJECT_KEY.slice(10, 20));
		expect(idle).not.toBe(busy);
		registry.get(idle);
		registry.get(busy).busy = true;
		now = 5000;
		registry.sweep(now, true);
		expect(registry.peek(idle)).toBeUndefined();
		expect(registry.peek(busy)).toBeDefined();
		registry.get(busy).busy = false;
		now = 10_000;
		registry.sweep(now, true);
		expect(registry.size).toBe(0);
	});
});
