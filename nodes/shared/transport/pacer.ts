/**
 * Paces requests of one execution so a batch runs near the account's rate limit
 * instead of into a wall of 429s. One Pacer is shared by all items of an execution.
 *
 * - Learns the per-minute request and token limits from `x-ratelimit-limit-*` and
 *   spaces request starts evenly at a little under that rate (OpenAI enforces limits
 *   over short windows, so bursts up to the per-minute figure still get 429s).
 * - Token-aware: each request reserves its estimated tokens (prompt plus max output),
 *   which is what OpenAI counts against the tokens-per-minute limit when it admits a request.
 * - Watches `x-ratelimit-remaining-*`: when the budget runs low (other clients share
 *   the key) it waits for the refill instead of firing.
 * - A 429 that shows the budget is spent (remaining at zero, or most recent answers 429s)
 *   pauses every sender of the execution until the server's reset and lowers the pace a
 *   little; successes raise it back. A 429 while the headers still show budget left is a
 *   blip: only that item backs off, the others keep their pace.
 * - Until the first answer arrives the limits are unknown, so only one request is in flight.
 */
import { CancelledError, onCancel, waitUnlessCancelled } from './backoff';
import { hasRateLimitInfo, type RateLimitSnapshot } from './headers';

export interface PacerOptions {
	/** User's own cap; 0 or undefined means none. */
	requestsPerMinute?: number;
	/** Fraction of the server's limit to aim for. */
	targetUtilisation?: number;
	now?: () => number;
}

export interface Reservation {
	key: string;
	tokens: number;
}

interface BucketState {
	limitRequests?: number;
	limitTokens?: number;
	remainingRequests?: number;
	remainingTokens?: number;
	resetRequestsMs?: number;
	resetTokensMs?: number;
	observedAt: number;
	inFlightAtObservation: number;
	nextRequestAt: number;
	nextTokenAt: number;
	pausedUntil: number;
	inFlight: number;
	/** First answer seen (with or without rate-limit headers). */
	calibrated: boolean;
	waiters: Array<() => void>;
	/** Multiplier on the target rate; drops on 429, recovers on success. */
	pace: number;
	/** Whether each of the latest answers was a 429, newest last. */
	recent: boolean[];
}

const MIN_PACE = 0.3;
/** Answers remembered to judge whether 429s are the rule or a blip. */
const RECENT = 20;

export class Pacer {
	private readonly buckets = new Map<string, BucketState>();
	private readonly userRpm: number;
	private readonly target: number;
	private readonly now: () => number;

	constructor(options: PacerOptions = {}) {
		this.userRpm = options.requestsPerMinute && options.requestsPerMinute > 0 ? options.requestsPerMinute : 0;
		this.target = options.targetUtilisation ?? 0.95;
		this.now = options.now ?? Date.now;
	}

	private bucket(key: string): BucketState {
		let state = this.buckets.get(key);
		if (!state) {
			state = {
				observedAt: 0,
				inFlightAtObservation: 0,
				nextRequestAt: 0,
				nextTokenAt: 0,
				pausedUntil: 0,
				inFlight: 0,
				calibrated: false,
				waiters: [],
				pace: 1,
				recent: [],
			};
			this.buckets.set(key, state);
		}
		return state;
	}

	private requestIntervalMs(state: BucketState): number {
		const limits = [state.limitRequests, this.userRpm || undefined].filter(
			(v): v is number => v !== undefined && v > 0,
		);
		if (limits.length === 0) return 0;
		const rpm = Math.min(...limits);
		const factor = state.limitRequests !== undefined && rpm === state.limitRequests ? this.target : 1;
		return 60_000 / (rpm * factor * state.pace);
	}

	private msPerToken(state: BucketState): number {
		if (!state.limitTokens) return 0;
		return 60_000 / (state.limitTokens * this.target * state.pace);
	}

	/** How long the remaining-budget headers say to hold off, for one more request. */
	private budgetWaitMs(state: BucketState, tokens: number, now: number): number {
		const sinceObservation = now - state.observedAt;
		let wait = 0;
		const startedSince = Math.max(0, state.inFlight - state.inFlightAtObservation);
		if (
			state.remainingRequests !== undefined &&
			state.limitRequests &&
			state.resetRequestsMs !== undefined &&
			state.remainingRequests - startedSince < 1
		) {
			const used = Math.max(1, state.limitRequests - state.remainingRequests);
			const perUnit = state.resetRequestsMs / used;
			const needed = 1 + startedSince - state.remainingRequests;
			wait = Math.max(wait, needed * perUnit - sinceObservation);
		}
		if (
			state.remainingTokens !== undefined &&
			state.limitTokens &&
			state.resetTokensMs !== undefined &&
			tokens > state.remainingTokens
		) {
			const used = Math.max(1, state.limitTokens - state.remainingTokens);
			const perUnit = state.resetTokensMs / used;
			wait = Math.max(wait, (tokens - state.remainingTokens) * perUnit - sinceObservation);
		}
		return Math.max(0, wait);
	}

	/** Waits for a slot, then counts the request as in flight. */
	async acquire(key: string, tokens: number, signal?: AbortSignal): Promise<Reservation> {
		const state = this.bucket(key);
		for (;;) {
			if (!state.calibrated && state.inFlight > 0) {
				await this.waitForCalibration(state, signal);
				continue;
			}
			const now = this.now();
			const hold = Math.max(state.pausedUntil - now, this.budgetWaitMs(state, tokens, now));
			if (hold > 0) {
				await waitUnlessCancelled(hold, signal);
				continue;
			}
			const interval = this.requestIntervalMs(state);
			const tokenMs = this.msPerToken(state) * tokens;
			const slot = Math.max(now, interval ? state.nextRequestAt : now, tokenMs ? state.nextTokenAt : now);
			if (interval) state.nextRequestAt = slot + interval;
			if (tokenMs) state.nextTokenAt = Math.max(state.nextTokenAt, now) + tokenMs;
			state.inFlight++;
			if (slot > now) {
				let waited = false;
				try {
					await waitUnlessCancelled(slot - now, signal);
					waited = true;
				} finally {
					if (!waited) {
						// Cancelled while waiting: give the slot back.
						state.inFlight--;
						this.wakeWaiters(state);
					}
				}
				if (state.pausedUntil > this.now()) {
					// A 429 arrived while this one waited for its slot: queue again.
					state.inFlight--;
					continue;
				}
			}
			return { key, tokens };
		}
	}

	private async waitForCalibration(state: BucketState, signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw new CancelledError();
		let stopWaiting: () => void = () => undefined;
		const outcome = await new Promise<'woken' | 'cancelled'>((resolve) => {
			const wake = () => resolve('woken');
			state.waiters.push(wake);
			if (signal) {
				stopWaiting = onCancel(signal, () => {
					state.waiters = state.waiters.filter((w) => w !== wake);
					resolve('cancelled');
				});
			}
		});
		stopWaiting();
		if (outcome === 'cancelled') throw new CancelledError();
	}

	private wakeWaiters(state: BucketState): void {
		const waiters = state.waiters;
		state.waiters = [];
		for (const wake of waiters) wake();
	}

	/**
	 * Whether a 429 means the whole execution must slow down: the headers say the budget
	 * is used up, or carry no budget at all, or most recent answers were 429s.
	 */
	private budgetSpent(state: BucketState, reservation: Reservation, snapshot?: RateLimitSnapshot): boolean {
		const limited = state.recent.filter(Boolean).length;
		if (state.recent.length >= 10 && limited * 2 >= state.recent.length) return true;
		if (!snapshot || (snapshot.remainingRequests === undefined && snapshot.remainingTokens === undefined)) return true;
		if (snapshot.remainingRequests !== undefined && snapshot.remainingRequests <= state.inFlight) return true;
		return snapshot.remainingTokens !== undefined && snapshot.remainingTokens < reservation.tokens;
	}

	/** Records the outcome of a request that was sent; `rateLimitedForMs` pauses everyone after a 429. */
	release(
		reservation: Reservation,
		outcome: { snapshot?: RateLimitSnapshot; rateLimitedForMs?: number; connected: boolean },
	): void {
		const state = this.bucket(reservation.key);
		state.inFlight = Math.max(0, state.inFlight - 1);
		const now = this.now();
		if (outcome.snapshot && hasRateLimitInfo(outcome.snapshot)) {
			const s = outcome.snapshot;
			if (s.limitRequests !== undefined) state.limitRequests = s.limitRequests;
			if (s.limitTokens !== undefined) state.limitTokens = s.limitTokens;
			state.remainingRequests = s.remainingRequests;
			state.remainingTokens = s.remainingTokens;
			state.resetRequestsMs = s.resetRequestsMs;
			state.resetTokensMs = s.resetTokensMs;
			state.observedAt = now;
			state.inFlightAtObservation = state.inFlight;
		}
		if (outcome.connected) {
			state.recent.push(outcome.rateLimitedForMs !== undefined);
			if (state.recent.length > RECENT) state.recent.shift();
		}
		if (outcome.rateLimitedForMs !== undefined) {
			if (this.budgetSpent(state, reservation, outcome.snapshot)) {
				state.pausedUntil = Math.max(state.pausedUntil, now + outcome.rateLimitedForMs);
				state.pace = Math.max(MIN_PACE, state.pace * 0.85);
			}
		} else if (outcome.connected) {
			state.pace = Math.min(1, state.pace + 0.02);
		}
		if (outcome.connected && !state.calibrated) {
			state.calibrated = true;
		}
		if (state.calibrated || state.inFlight === 0) this.wakeWaiters(state);
	}
}
