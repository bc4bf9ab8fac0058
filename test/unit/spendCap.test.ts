/** The spend ledger's arithmetic: reservations, settlements, waiting and refusing. */
import { sleep } from 'n8n-workflow';

import { ExecutionSpend, SpendCapError } from '../../nodes/shared/limits/spendCap';
import { costOf, findPrice, worstCaseCost } from '../../nodes/shared/pricing/prices';

describe('reservations against the cap', () => {
	test('a request is sent only when spent + open reservations + this one fit', async () => {
		const ledger = new ExecutionSpend();
		const a = await ledger.reserve(0.4, 1);
		const b = await ledger.reserve(0.4, 1);
		expect(ledger.reservedUsd).toBeCloseTo(0.8, 12);
		// 0.4 more would not fit now, but would once a or b settles for less than its worst case.
		let third: unknown;
		const pending = ledger.reserve(0.4, 1).then((r) => (third = r));
		await Promise.resolve();
		expect(third).toBeUndefined();
		ledger.settle(a, { kind: 'billed', usd: 0.01 });
		await pending;
		expect(third).toBeDefined();
		expect(ledger.spentUsd).toBeCloseTo(0.01, 12);
		expect(ledger.reservedUsd).toBeCloseTo(0.8, 12);
		ledger.settle(b, { kind: 'billed', usd: 0.02 });
		expect(ledger.committedUsd).toBeCloseTo(0.03, 12);
	});

	test('a request that can never fit is refused at once, with the figures', async () => {
		const ledger = new ExecutionSpend();
		const first = await ledger.reserve(0.5, 1);
		ledger.settle(first, { kind: 'billed', usd: 0.97 });
		await expect(ledger.reserve(0.04, 1)).rejects.toBeInstanceOf(SpendCapError);
		await expect(ledger.reserve(0.04, 1)).rejects.toThrow(
			"Not sent: this execution's spend cap of $1.00 was reached ($0.97 spent, this request could cost up to $0.04)",
		);
		// Something that still fits is sent.
		await expect(ledger.reserve(0.02, 1)).resolves.toMatchObject({ worstCaseUsd: 0.02 });
	});

	test('fits: what a batch checks before it is submitted, spent, held and reserved counted alike', async () => {
		const ledger = new ExecutionSpend();
		await ledger.reserve(0.1, 1);
		ledger.hold('batch_1', 0.2);
		expect(ledger.pendingUsd).toBeCloseTo(0.3, 12);
		// 0.1 + 0.2 + 0.3 is 0.6000000000000001 in floating point: still within a cap of $0.60.
		expect(0.1 + 0.2 + 0.3).toBeGreaterThan(0.6);
		expect(ledger.fits(0.3, 0.6)).toBe(true);
		expect(ledger.fits(0.71, 1)).toBe(false);
		expect(ledger.fits(100, 0)).toBe(true);
	});

	test('an attempt OpenAI did not bill (a 429) releases its reservation', async () => {
		const ledger = new ExecutionSpend();
		const attempt = await ledger.reserve(0.9, 1);
		ledger.settle(attempt, { kind: 'not_billed' });
		expect(ledger.committedUsd).toBe(0);
		expect(ledger.reservedUsd).toBe(0);
		const retry = await ledger.reserve(0.9, 1);
		ledger.settle(retry, { kind: 'billed', usd: 0.3 });
		expect(ledger.spentUsd).toBeCloseTo(0.3, 12);
	});

	test('an attempt whose outcome is unknown (a timeout) keeps its worst case', async () => {
		const ledger = new ExecutionSpend();
		const attempt = await ledger.reserve(0.6, 1);
		ledger.settle(attempt, { kind: 'unknown' });
		expect(ledger.uncertainUsd).toBeCloseTo(0.6, 12);
		await expect(ledger.reserve(0.6, 1)).rejects.toBeInstanceOf(SpendCapError);
	});

	test('concurrent reservations never commit more than the cap', async () => {
		const ledger = new ExecutionSpend();
		const cap = 1;
		let refused = 0;
		await Promise.all(
			Array.from({ length: 50 }, async () => {
				try {
					const reservation = await ledger.reserve(0.1, cap);
					expect(ledger.committedUsd + ledger.reservedUsd).toBeLessThanOrEqual(cap + 1e-9);
					await sleep(1);
					ledger.settle(reservation, { kind: 'billed', usd: 0.05 });
				} catch (error) {
					expect(error).toBeInstanceOf(SpendCapError);
					refused++;
				}
			}),
		);
		expect(ledger.spentUsd).toBeLessThanOrEqual(cap + 1e-9);
		expect(ledger.spentUsd).toBeGreaterThan(cap - 0.1 - 1e-9);
		expect(refused).toBeGreaterThan(0);
	});

	test('no cap: everything goes, and the spend is still counted', async () => {
		const ledger = new ExecutionSpend();
		const r = await ledger.reserve(100, 0);
		ledger.settle(r, { kind: 'billed', usd: 2.5, inputTokens: 10, outputTokens: 5 });
		expect(ledger.spentUsd).toBe(2.5);
		expect(ledger.inputTokens).toBe(10);
	});

	test('cancellation of a waiting reservation', async () => {
		const ledger = new ExecutionSpend();
		await ledger.reserve(0.9, 1);
		const controller = new AbortController();
		const waiting = ledger.reserve(0.5, 1, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow(/cancelled/);
		expect(ledger.isBusy()).toBe(true);
	});
});

describe('the worst case covers every bill', () => {
	test('cached tokens only make a bill cheaper than its worst case', () => {
		const worst = worstCaseCost('gpt-4o-mini', 2000, 100)!;
		const price = findPrice('gpt-4o-mini')!.price;
		const uncached = costOf({ inputTokens: 2000, outputTokens: 100 }, price).totalUsd;
		const cached = costOf({ inputTokens: 2000, cachedInputTokens: 1500, outputTokens: 100 }, price).totalUsd;
		expect(cached).toBeLessThan(uncached);
		expect(uncached).toBeLessThanOrEqual(worst.usd);
	});

	test('without Max Tokens, the model output limit is the worst case', () => {
		expect(worstCaseCost('gpt-4o-mini', 0, undefined)!.outputTokens).toBe(16_384);
		expect(worstCaseCost('my-llama', 10, 10)).toBeUndefined();
		expect(worstCaseCost('my-llama', 10, 10, { 'my-llama': { input: 1, output: 2 } })!.usd).toBeCloseTo(30 / 1e6, 8);
		expect(worstCaseCost('my-llama', 10, undefined, { 'my-llama': { input: 1, output: 2 } })).toBeUndefined();
	});

	test('tiers: batch and flex are half, priority has its own price', () => {
		expect(worstCaseCost('gpt-5', 1_000_000, 0, {}, 'batch')!.usd).toBeCloseTo(0.625, 6);
		expect(worstCaseCost('gpt-5', 1_000_000, 0, {}, 'flex')!.usd).toBeCloseTo(0.625, 6);
		expect(worstCaseCost('gpt-5', 1_000_000, 0, {}, 'priority')!.usd).toBeCloseTo(2.5, 6);
	});
});
