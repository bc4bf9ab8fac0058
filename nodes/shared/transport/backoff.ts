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
 * Waits, but returns at once (rejecting with CancelledError) when the signal fires.
 * n8n-workflow's sleep takes the signal on n8n 2.x; the race covers older versions.
 */
export async function waitUnlessCancelled(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new CancelledError();
	if (ms <= 0) return;
	if (!signal) return await sleep(ms);
	let onAbort: (() => void) | undefined;
	const cancelled = new Promise<never>((_, reject) => {
		onAbort = () => reject(new CancelledError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([
			(sleep as (ms: number, signal?: AbortSignal) => Promise<void>)(ms, signal).catch(() => undefined),
			cancelled,
		]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
	if (signal.aborted) throw new CancelledError();
}
