/** The key's outage pause: when it begins, how often it checks, when it ends. */
import { MAX_PROBE_INTERVAL_MS, OutageWatch, UNREACHED_PROBE_INTERVAL_MS } from '../../nodes/shared/limits/outage';

/** Drives a watch through an outage whose checks all fail; returns the times the checks may go. */
function checkTimes(reached: boolean, checks: number): number[] {
	const watch = new OutageWatch();
	for (let i = 0; i < 3; i++) watch.down(0, reached ? 'HTTP 503' : 'connection refused', false, reached);
	const times: number[] = [];
	for (let i = 0; i < checks; i++) {
		const at = watch.probeAt();
		times.push(at);
		watch.probeSent();
		watch.down(at, 'again', true, reached);
	}
	return times;
}

test('three failures in a row begin the outage; a request that reached the server is checked at 1 s, then up to every 2.5 s', () => {
	const watch = new OutageWatch();
	expect(watch.down(0, 'HTTP 503', false)).toBeUndefined();
	expect(watch.down(10, 'HTTP 503', false)).toBeUndefined();
	expect(watch.down(20, 'HTTP 503', false)).toMatchObject({ since: 0, reason: 'HTTP 503' });
	expect(checkTimes(true, 6)).toEqual([1000, 2500, 4750, 7250, 9750, 12250]);
	expect(MAX_PROBE_INTERVAL_MS).toBe(2500);
});

test('connections refused (no request reaches the server): a check every half second', () => {
	expect(checkTimes(false, 5)).toEqual([500, 1000, 1500, 2000, 2500]);
	expect(UNREACHED_PROBE_INTERVAL_MS).toBe(500);
});

test('an answer ends the outage, and the requests resume a few at a time', () => {
	const watch = new OutageWatch();
	for (let i = 0; i < 3; i++) watch.down(0, 'connection refused', false, false);
	expect(watch.active).toBe(true);
	expect(watch.up(30_000)).toMatchObject({ since: 0, until: 30_000, reason: 'connection refused' });
	expect(watch.active).toBe(false);
	expect(watch.rampCap).toBe(2);
	expect(watch.unavailableMs(0, 60_000)).toBe(30_000);
});
