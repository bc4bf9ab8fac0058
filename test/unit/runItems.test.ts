import { sleep } from 'n8n-workflow';

import { firstFailure, runItems } from '../../nodes/shared/execution/runItems';

test('results keep input order whatever order jobs finish in, within the concurrency limit', async () => {
	let inFlight = 0;
	let peak = 0;
	const started: number[] = [];
	const outcomes = await runItems(
		20,
		async (i) => {
			started.push(i);
			inFlight++;
			peak = Math.max(peak, inFlight);
			await sleep((20 - i) % 7);
			inFlight--;
			return i * 10;
		},
		{ concurrency: 4, continueOnFail: false },
	);
	expect(outcomes.map((o) => (o.ok ? o.value : -1))).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
	expect(peak).toBe(4);
	expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('each job runs exactly once', async () => {
	const runs = new Map<number, number>();
	await runItems(50, async (i) => runs.set(i, (runs.get(i) ?? 0) + 1), { concurrency: 7, continueOnFail: true });
	expect([...runs.values()].every((n) => n === 1)).toBe(true);
	expect(runs.size).toBe(50);
});

test('without continue-on-fail no new job starts after a failure, and the lowest failed index is reported', async () => {
	const started: number[] = [];
	const outcomes = await runItems(
		30,
		async (i) => {
			started.push(i);
			await sleep(i === 5 ? 1 : 5);
			if (i === 5 || i === 3) throw new Error(`bad ${i}`);
			return i;
		},
		{ concurrency: 6, continueOnFail: false },
	);
	expect(started.length).toBeLessThan(30);
	expect(firstFailure(outcomes)?.index).toBe(3);
});

test('with continue-on-fail every item gets an outcome', async () => {
	const outcomes = await runItems(
		10,
		async (i) => {
			if (i % 3 === 0) throw new Error('x');
			return i;
		},
		{ concurrency: 3, continueOnFail: true },
	);
	expect(outcomes.filter((o) => !o.ok)).toHaveLength(4);
	expect(outcomes).toHaveLength(10);
});
