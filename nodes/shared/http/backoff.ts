/**
 * Time in the transport: how long to wait before a retry, waits that end at once when the
 * execution is cancelled, and the hard per-attempt deadline. Timers come only from
 * n8n-workflow's sleep.
 */
import { sleep } from 'n8n-workflow';

export interface RetrySettings {
	/** Retries after the first attempt; 0 disables retrying, Infinity leaves it to the time budget. */
	maxRetries: number;
	/** How long an item keeps retrying, from its first attempt; Infinity: as long as Max Retries allows. */
	keepRetryingMs?: number;
	/** Longest single wait between attempts, server hints included. */
	maxWaitMs: number;
	/** Hard deadline of one attempt: connect, headers and the whole body. */
	timeoutMs: number;
}

/** First backoff ceiling; it doubles each retry. */
export const BASE_DELAY_MS = 250;
/**
 * The doubling stops here: tens of seconds, so that an item retrying through minutes of
 * failures does not knock every few seconds (OpenAI's SDKs stop at 8 s, with 2 retries).
 * Server hints may ask for more.
 */
export const MAX_BACKOFF_MS = 30_000;
/** setTimeout's largest delay. */
const LONGEST_TIMER_MS = 2_147_483_647;

export interface Delay {
	waitMs: number;
	/** The server asked for this long and maxWaitMs cut it short. */
	requestedMs?: number;
	source: 'server' | 'backoff' | 'server+backoff';
}

function backoffCeiling(retryIndex: number, maxWaitMs: number): number {
	return Math.min(maxWaitMs, MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** Math.min(retryIndex, 30));
}

/**
 * The wait before retry number retryIndex (0 for the first retry).
 * - Rate limits: the server's hint plus full jitter (a random wait between 0 and a ceiling
 *   that doubles each retry), so a burst of 429s spreads out and an item's retries span
 *   seconds, never a fraction of a second.
 * - Other failures: the server's hint when it gives one (plus up to 10%, so waiting items do
 *   not return in the same millisecond), else full jitter.
 * Always capped at maxWaitMs.
 */
export function retryDelay(
	retryIndex: number,
	serverHintMs: number | undefined,
	maxWaitMs: number,
	rateLimited: boolean,
	random: () => number = Math.random,
): Delay {
	const hint = serverHintMs !== undefined && Number.isFinite(serverHintMs) && serverHintMs >= 0 ? serverHintMs : undefined;
	if (hint !== undefined && hint > maxWaitMs) return { waitMs: maxWaitMs, requestedMs: hint, source: 'server' };
	const jitter = random() * backoffCeiling(retryIndex, maxWaitMs);
	if (hint === undefined) return { waitMs: jitter, source: 'backoff' };
	if (rateLimited) return { waitMs: Math.min(maxWaitMs, hint + jitter), source: 'server+backoff' };
	return { waitMs: Math.min(maxWaitMs, hint + hint * 0.1 * random()), source: 'server' };
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
	if (signal.aborted) {
		handler();
		return () => undefined;
	}
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
	const own = handlers;
	own.add(handler);
	return () => own.delete(handler);
}

/** Waits, but returns at once (rejecting with CancelledError) when the signal fires. */
export async function waitUnlessCancelled(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new CancelledError();
	if (ms <= 0) return;
	const timer = new AbortController();
	let stopListening: () => void = () => undefined;
	try {
		await new Promise<void>((resolve, reject) => {
			if (signal) {
				stopListening = onCancel(signal, () => {
					timer.abort();
					reject(new CancelledError());
				});
			}
			sleep(Math.min(ms, LONGEST_TIMER_MS), timer.signal).then(resolve, () => undefined);
		});
	} finally {
		stopListening();
		timer.abort();
	}
}

export class DeadlineError extends Error {
	constructor(readonly ms: number) {
		super(`The attempt did not finish within ${ms} ms`);
		this.name = 'DeadlineError';
	}
}

/**
 * Settles with `work`, or rejects with DeadlineError once `ms` have passed, whatever the
 * server is still sending. n8n replaces a node's own abort signal with the execution's,
 * so a late request cannot be aborted here: it is abandoned, its result ignored. (The
 * execution's cancellation still aborts it, through that signal.)
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
	work.catch(() => undefined);
	const timer = new AbortController();
	try {
		return await Promise.race([
			work,
			sleep(Math.min(Math.max(1, ms), LONGEST_TIMER_MS), timer.signal).then(
				() => {
					throw new DeadlineError(ms);
				},
				() => new Promise<never>(() => undefined),
			),
		]);
	} finally {
		timer.abort();
	}
}
