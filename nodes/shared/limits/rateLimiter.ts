/**
 * One rate limit per key: every request of every execution and node in this process that
 * uses the same key (same server, organization and project) waits its turn here, so a big
 * batch runs near the account's limit instead of into a wall of 429s, and an outage costs
 * one wait, not one failure per item.
 *
 * Per key and model (OpenAI's limits are per model), one queue, served in order:
 * - Spacing at the pace pace.ts decides (96% of the limits when alone), on a fixed grid, so
 *   timers that fire a few milliseconds late do not add up over hundreds of requests.
 * - Token-aware: each request holds its prompt plus max output against tokens per minute.
 * - `x-ratelimit-remaining-*` below what the next request needs: it waits for the refill.
 * - A user's Requests per Minute Cap is a ceiling per cap value: all requests sent under
 *   the same cap share it, across executions.
 * - Until the first answer for a model arrives, the limits are unknown and only one request
 *   is in flight. This happens once per key per process, not once per execution.
 *
 * Per key, across models: the outage pause (outage.ts). While the server looks down, one
 * probe at a time goes out; everyone else waits without spending retries, unless their own
 * time budget runs out, in which case they go out once more at the paced rate.
 *
 * Waiting uses the clock (n8n-workflow's sleep in n8n); a cancelled execution's waiters leave at once.
 */
import { sleep } from 'n8n-workflow';

import { CancelledError, onCancel } from '../http/backoff';
import { hasRateLimitInfo, type RateLimitSnapshot } from '../http/headers';
import { OutageWatch, type OutageRecord } from './outage';
import { PaceController, type PaceView } from './pace';
import { IdleRegistry, type Expirable } from './registry';

export { TARGET_UTILISATION } from './pace';

/**
 * Fraction of a user's cap aimed for: requests reach the server up to tens of milliseconds apart
 * from when they start, and the cap must hold in every second as the server counts it.
 */
const CAP_UTILISATION = 0.94;
/** A start this late after its slot still counts from the slot (timer lateness). */
const TIMER_SLACK_MS = 15;

/** Time for the pacer: n8n-workflow's sleep in n8n, a virtual clock in the simulator and tests. */
export interface Clock {
	now(): number;
	sleep(ms: number, signal: AbortSignal): Promise<void>;
	/** A number in [0, 1): Math.random in n8n, a seeded one in the simulator. */
	random?(): number;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: async (ms, signal) => await sleep(ms, signal) };

/**
 * When a start granted at `now` for `slot` counts from: its slot when it is only a few
 * milliseconds late (timers fire late), so the lateness does not add up over hundreds of
 * requests; otherwise when it really started.
 */
function onGrid(slot: number, now: number): number {
	return now >= slot && now - slot <= TIMER_SLACK_MS ? slot : Math.max(slot, now);
}

export interface Permit {
	bucket: string;
	tokens: number;
	startedAt: number;
	/** Sent as the outage's probe: its failure is the server's, not the item's. */
	probe?: boolean;
}

export type ReleaseOutcome =
	/** An HTTP answer that is not a rate-limit 429; `down`: a server error (5xx, a gateway's error page). */
	| { kind: 'answered'; snapshot: RateLimitSnapshot; down?: boolean; reason?: string }
	/** A 429 rate limit; `retryAfterMs` is the server's hint. */
	| { kind: 'rate_limited'; snapshot: RateLimitSnapshot; retryAfterMs?: number; down?: undefined }
	/**
	 * No HTTP answer. `reached`: the request got to the server (a deadline, a connection cut
	 * mid-answer), which ends the first-request-alone phase as an answer does; a refused
	 * connection or an unknown host does not. `down`: the server looks down (refused,
	 * unknown host, reset), as opposed to slow (a deadline) or cancelled.
	 */
	| { kind: 'no_answer'; reached: boolean; down?: boolean; reason?: string };

/** What a release changed for the whole key, for the transport to log once. */
export interface ReleaseEvents {
	outageStarted?: OutageRecord;
	outageEnded?: OutageRecord;
}

export interface AcquireOptions {
	/** Prompt plus max output, held against tokens per minute. */
	tokens: number;
	/** The node's Requests per Minute Cap; 0 or undefined means none. */
	capRpm?: number;
	signal?: AbortSignal;
	/**
	 * The item's time budget: it began at `startedAt` and lasts `ms`. An item that waits in an
	 * outage pause counts it from when the outage began if that is earlier, so that once an
	 * outage is longer than the budget, items fail in turn instead of each waiting it out. From
	 * the budget's end on, the item is not held back by the pause (it goes once more, paced).
	 */
	budget?: { startedAt: number; ms: number };
}

interface Waiter {
	tokens: number;
	capRpm: number;
	budget?: { startedAt: number; ms: number };
	grant: (permit: Permit) => void;
	fail: (error: Error) => void;
}

/** One model's queue and pace for one key. */
class Bucket {
	readonly pace: PaceController;
	remainingRequests?: number;
	remainingTokens?: number;
	resetRequestsMs?: number;
	resetTokensMs?: number;
	observedAt = 0;
	startedSinceObservation = 0;
	/** When the first answer came; undefined before (the first request goes alone). */
	calibratedAt?: number;
	inFlight = 0;
	pausedUntil = 0;
	lastStartAt = Number.NEGATIVE_INFINITY;
	/** When the tokens of earlier requests have drained, at the target rate. */
	tokenFreeAt = 0;
	/** Last start per cap value. */
	readonly capStarts = new Map<number, number>();
	readonly queue: Waiter[] = [];
	pumping = false;
	wake?: AbortController;

	constructor(random?: () => number) {
		this.pace = new PaceController(random);
	}

	get calibrated(): boolean {
		return this.calibratedAt !== undefined;
	}
}

export interface BucketView extends PaceView {
	inFlight: number;
	queued: number;
	calibrated: boolean;
}

export class KeyRateLimiter implements Expirable {
	private readonly buckets = new Map<string, Bucket>();
	private readonly clock: Clock;
	/** The outage pause, for the whole key. */
	readonly outage = new OutageWatch();
	private inFlight = 0;

	constructor(clock: Clock | (() => number) = REAL_CLOCK) {
		this.clock = typeof clock === 'function' ? { now: clock, sleep: REAL_CLOCK.sleep } : clock;
	}

	private now(): number {
		return this.clock.now();
	}

	isBusy(): boolean {
		for (const bucket of this.buckets.values()) if (bucket.inFlight > 0 || bucket.queue.length > 0) return true;
		return false;
	}

	/** A snapshot for tests and diagnostics. */
	view(name: string): BucketView | undefined {
		const b = this.buckets.get(name);
		return b && { ...b.pace.view(), inFlight: b.inFlight, queued: b.queue.length, calibrated: b.calibrated };
	}

	private bucket(name: string): Bucket {
		let bucket = this.buckets.get(name);
		if (!bucket) {
			bucket = new Bucket(this.clock.random?.bind(this.clock));
			this.buckets.set(name, bucket);
		}
		return bucket;
	}

	/** Waits for this request's turn, then counts it as in flight. */
	async acquire(name: string, options: AcquireOptions): Promise<Permit> {
		const { signal } = options;
		if (signal?.aborted) throw new CancelledError();
		const bucket = this.bucket(name);
		let stopListening: () => void = () => undefined;
		const permit = new Promise<Permit>((resolve, reject) => {
			const waiter: Waiter = {
				tokens: Math.max(0, options.tokens),
				capRpm: options.capRpm && options.capRpm > 0 ? options.capRpm : 0,
				budget: options.budget,
				grant: (granted) => {
					stopListening();
					resolve(granted);
				},
				fail: reject,
			};
			bucket.queue.push(waiter);
			if (signal) {
				stopListening = onCancel(signal, () => {
					const at = bucket.queue.indexOf(waiter);
					if (at >= 0) bucket.queue.splice(at, 1);
					reject(new CancelledError());
					this.poke(bucket);
				});
			}
		});
		void this.pump(bucket, name);
		return await permit;
	}

	/** Records the outcome of a request that was granted. */
	release(permit: Permit, outcome: ReleaseOutcome): ReleaseEvents {
		const bucket = this.bucket(permit.bucket);
		bucket.inFlight = Math.max(0, bucket.inFlight - 1);
		this.inFlight = Math.max(0, this.inFlight - 1);
		const now = this.now();
		const events: ReleaseEvents = {};
		if (outcome.down) {
			const reason = outcome.reason ?? 'no answer';
			events.outageStarted = this.outage.down(now, reason, permit.probe === true, outcome.kind !== 'no_answer' || outcome.reached);
		} else if (outcome.kind !== 'no_answer') {
			events.outageEnded = this.outage.up(now);
		} else if (permit.probe) {
			this.outage.probeLost(now);
		}
		if (outcome.kind === 'no_answer') {
			if (outcome.reached && !outcome.down) bucket.calibratedAt ??= now;
		} else {
			// A server error says nothing about the limits: the first request still goes alone.
			if (!outcome.down) bucket.calibratedAt ??= now;
			this.observe(bucket, outcome.snapshot, now);
			if (!outcome.down) {
				const pauseMs = bucket.pace.onAnswer(now, permit.startedAt, permit.tokens, outcome);
				if (pauseMs > 0) bucket.pausedUntil = Math.max(bucket.pausedUntil, now + pauseMs);
			}
		}
		this.pokeAll();
		return events;
	}

	/** When a time budget ends: counted from the item's start, or from the current outage's if earlier. */
	deadline(budget: { startedAt: number; ms: number } | undefined): number {
		if (!budget) return Number.POSITIVE_INFINITY;
		return Math.min(budget.startedAt, this.outage.current?.since ?? Number.POSITIVE_INFINITY) + budget.ms;
	}

	/** Outages of this key that overlap [from, to], in ms. */
	unavailableMs(from: number, to = this.now()): number {
		return this.outage.unavailableMs(from, to);
	}

	private observe(bucket: Bucket, snapshot: RateLimitSnapshot, now: number): void {
		if (!hasRateLimitInfo(snapshot)) return;
		bucket.remainingRequests = snapshot.remainingRequests;
		bucket.remainingTokens = snapshot.remainingTokens;
		bucket.resetRequestsMs = snapshot.resetRequestsMs;
		bucket.resetTokensMs = snapshot.resetTokensMs;
		bucket.observedAt = now;
		bucket.startedSinceObservation = 0;
	}

	/** How long the remaining-budget headers say to hold off, for one more request. */
	private budgetWaitMs(bucket: Bucket, tokens: number, now: number): number {
		const since = now - bucket.observedAt;
		const limits = bucket.pace.view();
		let wait = 0;
		const started = bucket.startedSinceObservation;
		if (bucket.remainingRequests !== undefined && limits.limitRequests && bucket.resetRequestsMs !== undefined && bucket.remainingRequests - started < 1) {
			const perUnit = bucket.resetRequestsMs / Math.max(1, limits.limitRequests - bucket.remainingRequests);
			wait = Math.max(wait, (1 + started - bucket.remainingRequests) * perUnit - since);
		}
		if (bucket.remainingTokens !== undefined && limits.limitTokens && bucket.resetTokensMs !== undefined && tokens > bucket.remainingTokens) {
			const perUnit = bucket.resetTokensMs / Math.max(1, limits.limitTokens - bucket.remainingTokens);
			wait = Math.max(wait, (tokens - bucket.remainingTokens) * perUnit - since);
		}
		return Math.max(0, wait);
	}

	/**
	 * The earliest moment this waiter may start, given everything known now, and whether it
	 * goes as the outage's probe.
	 */
	private earliestStart(bucket: Bucket, waiter: Waiter, now: number): { at: number; probe?: boolean } {
		if (this.outage.active) {
			// While the server is down, one probe at a time; the others wait, unless their time budget is over.
			const deadline = this.deadline(waiter.budget);
			if (deadline > now) {
				const probeAt = Math.max(this.outage.probeAt(), now);
				return probeAt <= deadline ? { at: probeAt, probe: true } : { at: deadline };
			}
		} else if (this.outage.rampCap !== undefined && this.inFlight >= this.outage.rampCap) {
			return { at: Number.POSITIVE_INFINITY };
		}
		if (!bucket.calibrated && bucket.inFlight > 0) return { at: Number.POSITIVE_INFINITY };
		let at = Math.max(now, bucket.pausedUntil, now + this.budgetWaitMs(bucket, waiter.tokens, now));
		const interval = bucket.pace.intervalMs(now);
		if (interval) at = Math.max(at, bucket.lastStartAt + interval, bucket.pace.windowFreeAt(now));
		if (bucket.pace.msPerToken()) at = Math.max(at, bucket.tokenFreeAt);
		if (waiter.capRpm) {
			const spacing = 60_000 / (waiter.capRpm * CAP_UTILISATION);
			at = Math.max(at, (bucket.capStarts.get(waiter.capRpm) ?? Number.NEGATIVE_INFINITY) + spacing);
		}
		return { at };
	}

	private grant(bucket: Bucket, name: string, index: number, now: number, probe: boolean): void {
		const [waiter] = bucket.queue.splice(index, 1);
		bucket.inFlight++;
		this.inFlight++;
		bucket.startedSinceObservation++;
		if (probe) this.outage.probeSent();
		const interval = bucket.pace.intervalMs(now);
		bucket.lastStartAt = interval ? onGrid(bucket.lastStartAt + interval, now) : now;

		bucket.pace.recordStart(now, waiter.tokens);
		const perToken = bucket.pace.msPerToken();
		if (perToken) bucket.tokenFreeAt = onGrid(bucket.tokenFreeAt, now) + waiter.tokens * perToken;
		if (waiter.capRpm) bucket.capStarts.set(waiter.capRpm, now);
		waiter.grant({ bucket: name, tokens: waiter.tokens, startedAt: now, ...(probe ? { probe: true } : {}) });
	}

	/** Interrupts the pump's sleep: something changed (an answer, a new waiter, a cancellation). */
	private poke(bucket: Bucket): void {
		bucket.wake?.abort();
	}

	/** An answer can change every model's queue (the outage pause is per key). */
	private pokeAll(): void {
		for (const bucket of this.buckets.values()) this.poke(bucket);
	}

	/** Serves the queue in order while it has waiters; one sleeping timer per bucket at most. */
	private async pump(bucket: Bucket, name: string): Promise<void> {
		if (bucket.pumping) {
			this.poke(bucket);
			return;
		}
		bucket.pumping = true;
		try {
			while (bucket.queue.length > 0) {
				const now = this.now();
				let soonest = Number.POSITIVE_INFINITY;
				let granted = false;
				for (let i = 0; i < bucket.queue.length; i++) {
					const { at, probe } = this.earliestStart(bucket, bucket.queue[i], now);
					if (at <= now) {
						this.grant(bucket, name, i, now, probe === true);
						granted = true;
						break;
					}
					soonest = Math.min(soonest, at);
				}
				if (granted) continue;
				const wake = new AbortController();
				bucket.wake = wake;
				// Without a known moment (waiting for the first answer), look again now and then.
				const ms = Number.isFinite(soonest) ? Math.max(1, Math.ceil(soonest - now)) : 5_000;
				await this.clock.sleep(ms, wake.signal).catch(() => undefined);
				bucket.wake = undefined;
			}
		} finally {
			bucket.pumping = false;
		}
	}
}

/** One limiter per rate-limit identity, for the whole process. */
export const rateLimiters = new IdleRegistry<KeyRateLimiter>(() => new KeyRateLimiter());
