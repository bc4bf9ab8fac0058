import { BASE_DELAY_MS, retryDelay, waitUnlessCancelled, CancelledError } from '../../nodes/shared/transport/backoff';

describe('full-jitter exponential backoff', () => {
	test('the ceiling doubles per retry and the wait is uniform below it', () => {
		for (let retry = 0; retry < 6; retry++) {
			const ceiling = Math.min(60_000, BASE_DELAY_MS * 2 ** retry);
			expect(retryDelay(retry, undefined, 60_000, () => 0).waitMs).toBe(0);
			expect(retryDelay(retry, undefined, 60_000, () => 0.999999).waitMs).toBeCloseTo(ceiling, 0);
			expect(retryDelay(retry, undefined, 60_000, () => 0.5).waitMs).toBeCloseTo(ceiling / 2, 6);
		}
	});

	test('never waits longer than Max Wait', () => {
		expect(retryDelay(20, undefined, 3000, () => 0.999999).waitMs).toBeLessThanOrEqual(3000);
	});

	test('a server hint is honoured, with at most 10% spread', () => {
		const low = retryDelay(0, 2000, 60_000, () => 0);
		const high = retryDelay(0, 2000, 60_000, () => 0.999999);
		expect(low).toEqual({ waitMs: 2000, source: 'server' });
		expect(high.waitMs).toBeLessThanOrEqual(2200);
	});

	test('a server hint longer than Max Wait is capped, and the request is remembered', () => {
		expect(retryDelay(0, 600_000, 60_000)).toEqual({ waitMs: 60_000, requestedMs: 600_000, source: 'server' });
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
