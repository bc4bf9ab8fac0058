import { sleep } from 'n8n-workflow';

export interface RetrySettings {
	/** Retries after the first attempt; 0 disables retrying. */
	maxRetries: number;
	/** Longest single wait between attempts, server hints included. */
	maxWaitMs: number;
	/** Per-attempt timeout. */
	timeoutMs: number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
	maxRetries: 5,
	maxWaitMs: 60_000,
	timeoutMs: 300_000,
};

/** First backoff ceiling; it doubles each retry up to maxWaitMs. */
export const BASE_DELAY_MS = 500;

export interface Delay {
	waitMs: number;
	/** The server asked for this long and maxWaitMs cut it short. */
	requestedMs?: number;
	source: 'server' | 'backoff';
}

/**
 * Full-jitter exponential backoff (a random wait between 0 and the doubling ceiling),
 * unless the server said how long to wait: then that, plus up to 10% so that many
 * waiting items do not all return in the same millisecond, capped at maxWaitMs.
 */
export function retryDelay(
	retryIndex: number,
	serverHintMs: number | undefined,
	maxWaitMs: number,
	random: () => number = Math.random,
): Delay {
	if (serverHintMs !== undefined && Number.isFinite(serverHintMs) && serverHintMs >= 0) {
		const jittered = serverHintMs + serverHintMs * 0.1 * random();
		if (serverHintMs > maxWaitMs) return { waitMs: maxWaitMs, requestedMs: serverHintMs, source: 'server' };
		return { waitMs: Math.min(jittered, maxWaitMs), source: 'server' };
	}
	const ceiling = Math.min(maxWaitMs, BASE_DELAY_MS * 2 ** retryIndex);
	return { waitMs: random() * ceiling, source: 'backoff' };
}

export class CancelledError extends Error {
	constructor() {
		super('The execution was cancelled');
		this.name = 'CancelledError';
	}
}

/**
 * One abort listener per execution signal, however many items wait on it:
 * Node warns about more than ten listeners on one signal, and 50 waiting items are normal here.
 */
const cancelHandlers = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls handler once when the signal aborts; returns a function that unregisters it. */
export function onCancel(signal: AbortSignal, handler: () => void): () => void {
	let handlers = cancelHandlers.get(signal);
	if (!handlers) {
		const set = new Set<() => void>();
		handlers = set;
		cancelHandlers.set(signal, set);
		signal.addEventListener(
			'abort',
			() => {
				for (const fn of [...set]) fn();
				set.clear();
			},
			{ once: true },
		);
	}
	handlers.add(handler);
	return () => handlers.delete(handler);
}

/**
 * Waits, but returns at once (rejecting with CancelledError) when the signal fires.
 * n8n-workflow's sleep clears its timer when given a signal (n8n 2.x); the race also
 * covers versions whose sleep takes no signal.
 */
export async function waitUnlessCancelled(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new CancelledError();
	if (ms <= 0) return;
	if (!signal) return await sleep(ms);
	const local = new AbortController();
	let stopWaiting: () => void = () => undefined;
	const cancelled = new Promise<'cancelled'>((resolve) => {
		stopWaiting = onCancel(signal, () => {
			local.abort();
			resolve('cancelled');
		});
	});
	try {
		const outcome = await Promise.race([
			(sleep as (ms: number, signal?: AbortSignal) => Promise<void>)(ms, local.signal).then(
				() => 'slept' as const,
				() => 'cancelled' as const,
			),
			cancelled,
		]);
		if (outcome === 'cancelled') throw new CancelledError();
	} finally {
		stopWaiting();
	}
}
