import { sleep } from 'n8n-workflow';

import { BASE_DELAY_MS, CancelledError, DeadlineError, MAX_BACKOFF_MS, retryDelay, waitUnlessCancelled, withinDeadline } from '../../nodes/shared/http/backoff';

describe('full-jitter exponential backoff', () => {
	test('the ceiling doubles per retry up to its cap, and the wait is uniform below it', () => {
		for (let retry = 0; retry < 8; retry++) {
			const ceiling = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** retry);
			expect(retryDelay(retry, undefined, 60_000, false, () => 0).waitMs).toBe(0);
			expect(retryDelay(retry, undefined, 60_000, false, () => 0.999999).waitMs).toBeCloseTo(ceiling, 0);
			expect(retryDelay(retry, undefined, 60_000, false, () => 0.5).waitMs).toBeCloseTo(ceiling / 2, 6);
		}
	});

	test('never waits longer than Max Wait', () => {
		expect(retryDelay(20, undefined, 3000, false, () => 0.999999).waitMs).toBeLessThanOrEqual(3000);
		expect(retryDelay(20, 2900, 3000, true, () => 0.999999).waitMs).toBeLessThanOrEqual(3000);
	});

	test('a server hint on other failures is honoured, with at most 10% spread', () => {
		const low = retryDelay(0, 2000, 60_000, false, () => 0);
		const high = retryDelay(0, 2000, 60_000, false, () => 0.999999);
		expect(low).toEqual({ waitMs: 2000, source: 'server' });
		expect(high.waitMs).toBeLessThanOrEqual(2200);
	});

	test('a rate-limit 429 waits the hint plus backoff that grows with the attempt', () => {
		// The hint is a floor, not the whole wait: tiny hints cannot burn all retries in a blink.
		const waits = [0, 1, 2, 3, 4, 5, 6, 7].map((retry) => retryDelay(retry, 20, 60_000, true, () => 0.999999).waitMs);
		expect(waits[0]).toBeCloseTo(20 + BASE_DELAY_MS, 0);
		for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
		// The ceiling: tens of seconds, reached at the 8th retry (0.25 s × 2^7 = 32 s).
		expect(MAX_BACKOFF_MS).toBe(30_000);
		expect(waits[7]).toBeCloseTo(20 + MAX_BACKOFF_MS, 0);
		expect(retryDelay(3, 20, 60_000, true, () => 0).waitMs).toBe(20);
		expect(retryDelay(3, 20, 60_000, true, () => 0.5).source).toBe('server+backoff');
	});

	test('a server hint longer than Max Wait is capped, and the request is remembered', () => {
		expect(retryDelay(0, 600_000, 60_000, true)).toEqual({ waitMs: 60_000, requestedMs: 600_000, source: 'server' });
	});
});

describe('waiting can be cancelled', () => {
	test('returns at once when the execution is cancelled', async () => {
		const controller = new AbortController();
		const started = Date.now();
		const waiting = waitUnlessCancelled(60_000, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toBeInstanceOf(CancelledError);
		// It did not sit out the 60 s.
		expect(Date.now() - started).toBeLessThan(30_000);
	});

	test('an already cancelled signal does not wait at all', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(waitUnlessCancelled(10, controller.signal)).rejects.toBeInstanceOf(CancelledError);
	});
});

describe('the per-attempt deadline', () => {
	test('a promise that settles in time passes through', async () => {
		await expect(withinDeadline(Promise.resolve(7), 1000)).resolves.toBe(7);
		await expect(withinDeadline(Promise.reject(new Error('boom')), 1000)).rejects.toThrow('boom');
	});

	test('a promise that never settles is abandoned at the deadline', async () => {
		await expect(withinDeadline(new Promise(() => undefined), 20)).rejects.toBeInstanceOf(DeadlineError);
	});

	test('a late rejection of an abandoned promise does not surface', async () => {
		let rejectLate: (error: Error) => void = () => undefined;
		const late = new Promise((_, reject) => {
			rejectLate = reject;
		});
		await expect(withinDeadline(late, 10)).rejects.toBeInstanceOf(DeadlineError);
		rejectLate(new Error('too late'));
		await sleep(1);
	});
});
