/**
 * One rate limit per key: every request of every execution and node in this process that
 * uses the same key (same server, organization and project) waits its turn here, so a big
 * batch runs near the account's limit instead of into a wall of 429s.
 *
 * Per key and model (OpenAI's limits are per model), one queue, served in order:
 * - Spacing at 96% of the per-minute limits the server reports (`x-ratelimit-limit-*`),
 *   measured from the actual start of the previous request: OpenAI enforces its per-minute
 *   limits over short windows too, so a burst up to the per-minute figure still gets 429s.
 * - Token-aware: each request holds its prompt plus max output against tokens per minute.
 * - `x-ratelimit-remaining-*`: when the budget runs out, it waits for the refill.
 * - Other processes (queue-mode workers, other n8n instances) are seen only through the
 *   server's answers. Each answer's remaining budget says how much the server counted in
 *   its window; what this process's own starts of the last second do not explain is
 *   someone else's. While others spend and the server's count (averaged over a second)
 *   stays above 99% of the budget, the pace falls before any 429. A 429 with the budget
 *   spent while others spend (by the headers, by the local view: this process's own
 *   requests of the last second leave budget, or because such 429s are 40% of the last 40
 *   answers) pauses everyone here for the server's retry hint (at most once a second) and
 *   drops the pace multiplicatively; it recovers additively while answers succeed (AIMD),
 *   so processes that start together settle near 1/k of the limit each without
 *   configuration. Once the headers show no one else for a second, the pace recovers fast.
 *   A process whose first answers show others spending starts at a share. Otherwise a 429
 *   is the odd one (a blip, or a storm of random 429s at 30%): only that item backs off,
 *   and the pace holds.
 * - A user's Requests per Minute Cap is a ceiling per cap value: all requests sent under
 *   the same cap share it, across executions.
 * - Until the first answer for a key arrives, the limits are unknown and only one request
 *   is in flight. This happens once per key per process, not once per execution.
 *
 * Waiting uses n8n-workflow's sleep; a cancelled execution's waiters leave at once.
 */
import { sleep } from 'n8n-workflow';

import { CancelledError, onCancel } from '../transport/backoff';
import { hasRateLimitInfo, type RateLimitSnapshot } from '../transport/headers';
import { IdleRegistry, type Expirable } from './registry';

/** Fraction of the server's limit aimed for. */
export const TARGET_UTILISATION = 0.96;
/**
 * Fraction of a user's cap aimed for: requests reach the server up to tens of milliseconds apart
 * from when they start, and the cap must hold in every second as the server counts it.
 */
const CAP_UTILISATION = 0.94;
/** Multiplicative decrease on a 429 that shows the budget spent while someone else spends. */
const DECREASE = 0.85;
/** The same, gentler, when the headers show the others too (the pace already follows them). */
const SHARED_DECREASE = 0.92;
/** At most one decrease per this long: one congestion event gives several 429s. */
const DECREASE_GUARD_MS = 1_000;
/** Additive increase of the pace per second of successful answers, while others spend too. */
const INCREASE_PER_SECOND = 0.01;
/** Once no one else has been seen spending for a while, the pace recovers at least this fast (and doubles at most each second). */
const RECOVERY_PER_SECOND = 0.1;
/** No 429 that showed someone else spending for this long means quiet. */
const QUIET_MS = 5_000;
/** Headers that show no one else spending for this long also mean quiet. */
const ALONE_MS = 1_000;
/** Others spend when, on average, this share of the per-second budget the server counted is not ours. */
const OTHERS_SHARE = 0.05;
/** The averages of the server's count follow it over about this long. */
const SMOOTHING_MS = 1_000;
/** While others spend and the server's average count is above this share of the per-second budget, the pace falls... */
const CROWDED = 0.99;
/** ...this fast. */
const SMOOTH_DECREASE_PER_SECOND = 0.1;
/** How long after its first answer a process still counts as arriving. */
const NEWCOMER_MS = 1_000;
/** An arriving process's answer shows others spending from this share of the per-second budget that is not its own... */
const NEWCOMER_OTHERS = 0.15;
/** ...and then it starts at what the others leave, but at least this pace. */
const NEWCOMER_PACE = 0.25;
const MIN_PACE = 0.1;
/** Longest a global pause after a 429 lasts, whatever the server's hint. */
const MAX_PAUSE_MS = 60_000;
/** How long before its release an answer's headers may have been counted (parsing, a busy event loop). */
const ANSWER_SLACK_MS = 50;
/** A start this late after its slot still counts from the slot (timer lateness). */
const TIMER_SLACK_MS = 15;
/** Answers remembered to judge whether 429s are the rule or a blip. */
const RECENT = 20;
/**
 * Answers remembered to judge whether budget-spent 429s are the rule: a longer memory, so
 * that a storm of random 429s does not look like a second process.
 */
const RECENT_SPENT = 40;

/** How an answer went, as the pacer remembers it. */
type Answer = 'answered' | 'rate_limited' | 'budget_spent';
/**
 * Below this share of the per-second budget, this process's own recent requests cannot
 * explain a spent budget: someone else is spending.
 */
const OWN_SHARE_FOR_CONTENTION = 0.85;
/**
 * When this share of the recent answers are 429s with the budget spent, others spend too,
 * whatever the local view says: a process alone at its target rate sees such 429s only now
 * and then (jitter), while two at full rate see them all the time (each sends its full share).
 */
const SPENT_SHARE_FOR_CONTENTION = 0.4;

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
}

export type ReleaseOutcome =
	/** An HTTP answer that is not a rate-limit 429. */
	| { kind: 'answered'; snapshot: RateLimitSnapshot }
	/** A 429 rate limit; `retryAfterMs` is the server's hint. */
	| { kind: 'rate_limited'; snapshot: RateLimitSnapshot; retryAfterMs?: number }
	/**
	 * No HTTP answer. `reached`: the request got to the server (a deadline, a connection cut
	 * mid-answer), which ends the first-request-alone phase as an answer does; a refused
	 * connection or an unknown host does not.
	 */
	| { kind: 'no_answer'; reached: boolean };

export interface AcquireOptions {
	/** Prompt plus max output, held against tokens per minute. */
	tokens: number;
	/** The node's Requests per Minute Cap; 0 or undefined means none. */
	capRpm?: number;
	signal?: AbortSignal;
}

interface Waiter {
	tokens: number;
	capRpm: number;
	grant: (permit: Permit) => void;
	fail: (error: Error) => void;
}

/** Everything known about one model's limits for one key. */
class Bucket {
	limitRequests?: number;
	limitTokens?: number;
	remainingRequests?: number;
	remainingTokens?: number;
	resetRequestsMs?: number;
	resetTokensMs?: number;
	observedAt = 0;
	startedSinceObservation = 0;
	calibrated = false;
	calibratedAt = 0;
	inFlight = 0;
	/** AIMD multiplier on the target rate. */
	pace = 1;
	lastDecreaseAt = Number.NEGATIVE_INFINITY;
	/** The last answer (a 429, or headers) that showed someone else spending. */
	lastContendedAt = Number.NEGATIVE_INFINITY;
	/** The server's count of the last second as a share of the per-second budget, and others' part of it (averages). */
	usedShare = 0;
	othersShare = 0;
	watchedAt = Number.NEGATIVE_INFINITY;
	/** Since when the headers of every answer show no one else spending. */
	aloneSince?: number;
	lastIncreaseAt = Number.NEGATIVE_INFINITY;
	pausedUntil = 0;
	lastStartAt = Number.NEGATIVE_INFINITY;
	lastPauseAt = Number.NEGATIVE_INFINITY;
	/** This process's request starts and tokens of the last second (and ANSWER_SLACK_MS more), oldest first. */
	readonly ownStarts: Array<{ at: number; tokens: number }> = [];
	/** When the tokens of earlier requests have drained, at the target rate. */
	tokenFreeAt = 0;
	/** Last start per cap value. */
	readonly capStarts = new Map<number, number>();
	/** The last RECENT_SPENT answers, oldest first (a 429 with the budget spent is 'budget_spent'). */
	readonly recent: Answer[] = [];
	readonly queue: Waiter[] = [];
	pumping = false;
	wake?: AbortController;
}

export interface BucketView {
	pace: number;
	inFlight: number;
	queued: number;
	calibrated: boolean;
	limitRequests?: number;
	limitTokens?: number;
}

export class KeyRateLimiter implements Expirable {
	private readonly buckets = new Map<string, Bucket>();

	constructor(private readonly now: () => number = Date.now) {}

	isBusy(): boolean {
		for (const bucket of this.buckets.values()) if (bucket.inFlight > 0 || bucket.queue.length > 0) return true;
		return false;
	}

	/** A snapshot for tests and diagnostics. */
	view(name: string): BucketView | undefined {
		const b = this.buckets.get(name);
		return b && { pace: b.pace, inFlight: b.inFlight, queued: b.queue.length, calibrated: b.calibrated, limitRequests: b.limitRequests, limitTokens: b.limitTokens };
	}

	private bucket(name: string): Bucket {
		let bucket = this.buckets.get(name);
		if (!bucket) {
			bucket = new Bucket();
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
	release(permit: Permit, outcome: ReleaseOutcome): void {
		const bucket = this.bucket(permit.bucket);
		bucket.inFlight = Math.max(0, bucket.inFlight - 1);
		const now = this.now();
		if (outcome.kind === 'no_answer') {
			if (outcome.reached && !bucket.calibrated) {
				bucket.calibrated = true;
				bucket.calibratedAt = now;
			}
			this.poke(bucket);
			return;
		}
		const spent = outcome.kind === 'rate_limited' && this.budgetSpent(bucket, permit, outcome.snapshot);
		const window = this.serverWindow(bucket, outcome.snapshot, now);
		if (!bucket.calibrated) bucket.calibratedAt = now;
		bucket.calibrated = true;
		// A process that arrives while others already spend (or that starts with them) takes a share, not the full rate.
		if (window && now - bucket.calibratedAt <= NEWCOMER_MS && window.others >= NEWCOMER_OTHERS) {
			bucket.pace = Math.min(bucket.pace, Math.max(NEWCOMER_PACE, 1 - window.others));
		}
		this.observe(bucket, outcome.snapshot, now);
		bucket.recent.push(spent ? 'budget_spent' : outcome.kind);
		if (bucket.recent.length > RECENT_SPENT) bucket.recent.shift();
		const sharing = window !== undefined && this.watch(bucket, window, now) >= OTHERS_SHARE;
		if (sharing) this.contended(bucket, now);
		else if (window) bucket.aloneSince ??= now;

		if (spent) {
			if (sharing || this.someoneElseSpends(bucket, now) || this.spentOften(bucket)) {
				this.contended(bucket, now);
				if (now - bucket.lastPauseAt >= DECREASE_GUARD_MS) {
					const hint = outcome.kind === 'rate_limited' ? outcome.retryAfterMs : undefined;
					const pause = Math.min(MAX_PAUSE_MS, Math.max(50, hint ?? 1000));
					bucket.pausedUntil = Math.max(bucket.pausedUntil, now + pause);
					bucket.lastPauseAt = now;
				}
				this.decrease(bucket, sharing ? SHARED_DECREASE : DECREASE, now);
			}
			bucket.lastIncreaseAt = now;
		} else if (outcome.kind === 'answered') {
			const since = Math.min(1000, Math.max(0, now - bucket.lastIncreaseAt));
			if (sharing && bucket.usedShare > CROWDED) {
				// Others spend too and the server counts more than the target: yield before the 429s come.
				bucket.pace = Math.max(MIN_PACE, bucket.pace * (1 - (SMOOTH_DECREASE_PER_SECOND * since) / 1000));
			} else {
				const quiet = now - bucket.lastContendedAt > QUIET_MS || (bucket.aloneSince !== undefined && now - bucket.aloneSince >= ALONE_MS);
				const rate = quiet ? Math.max(RECOVERY_PER_SECOND, bucket.pace) : INCREASE_PER_SECOND;
				bucket.pace = Math.min(1, bucket.pace + (rate * since) / 1000);
			}
			bucket.lastIncreaseAt = now;
		}
		this.poke(bucket);
	}

	/**
	 * Follows the server's count of the last second, averaged over about SMOOTHING_MS of
	 * answers (so a single reading off by one request does not count); returns others' share.
	 */
	private watch(bucket: Bucket, window: { used: number; others: number }, now: number): number {
		const weight = 1 - Math.exp(-Math.max(0, now - bucket.watchedAt) / SMOOTHING_MS);
		bucket.watchedAt = now;
		bucket.usedShare += weight * (window.used - bucket.usedShare);
		bucket.othersShare += weight * (window.others - bucket.othersShare);
		return bucket.othersShare;
	}

	/** Someone else spends on this key: no quick recovery for a while. */
	private contended(bucket: Bucket, now: number): void {
		bucket.lastContendedAt = now;
		bucket.aloneSince = undefined;
	}

	/** Multiplicative decrease, at most once per DECREASE_GUARD_MS: one congestion event gives several signals. */
	private decrease(bucket: Bucket, factor: number, now: number): void {
		if (now - bucket.lastDecreaseAt < DECREASE_GUARD_MS) return;
		bucket.pace = Math.max(MIN_PACE, bucket.pace * factor);
		bucket.lastDecreaseAt = now;
	}

	/**
	 * What one answer's headers say about the last second, as shares of the per-second budget:
	 * how much of it the server counted (`used`), and how much of that this process's own
	 * starts do not explain (`others`). Undefined without limit and remaining headers.
	 */
	private serverWindow(bucket: Bucket, snapshot: RateLimitSnapshot, now: number): { used: number; others: number } | undefined {
		this.pruneOwnStarts(bucket, now);
		// The server counted its window when it answered, a little before now: own starts just
		// older than a second (kept ANSWER_SLACK_MS longer) may still be in it.
		const own = bucket.ownStarts;
		let view: { used: number; others: number } | undefined;
		const consider = (limit: number | undefined, remaining: number | undefined, own: number) => {
			if (!limit || remaining === undefined) return;
			const budget = limit / 60;
			const server = Math.max(0, limit - remaining) / 60;
			view = {
				used: Math.max(view?.used ?? 0, server / budget),
				others: Math.max(view?.others ?? Number.NEGATIVE_INFINITY, (server - own) / budget),
			};
		};
		consider(snapshot.limitRequests, snapshot.remainingRequests, own.length);
		consider(snapshot.limitTokens, snapshot.remainingTokens, own.reduce((sum, start) => sum + start.tokens, 0));
		return view;
	}

	private observe(bucket: Bucket, snapshot: RateLimitSnapshot, now: number): void {
		if (!hasRateLimitInfo(snapshot)) return;
		if (snapshot.limitRequests !== undefined) bucket.limitRequests = snapshot.limitRequests;
		if (snapshot.limitTokens !== undefined) bucket.limitTokens = snapshot.limitTokens;
		bucket.remainingRequests = snapshot.remainingRequests;
		bucket.remainingTokens = snapshot.remainingTokens;
		bucket.resetRequestsMs = snapshot.resetRequestsMs;
		bucket.resetTokensMs = snapshot.resetTokensMs;
		bucket.observedAt = now;
		bucket.startedSinceObservation = 0;
	}

	/**
	 * Whether a 429 means the budget is spent (by us or by someone else sharing the key):
	 * the headers say so, or carry no budget at all, or most recent answers were 429s.
	 */
	private budgetSpent(bucket: Bucket, permit: Permit, snapshot: RateLimitSnapshot): boolean {
		const recent = bucket.recent.slice(-RECENT);
		const limited = recent.filter((answer) => answer !== 'answered').length;
		if (recent.length >= 10 && limited * 2 >= recent.length) return true;
		if (snapshot.remainingRequests === undefined && snapshot.remainingTokens === undefined) return true;
		if (snapshot.remainingRequests !== undefined && snapshot.remainingRequests < 1) return true;
		return snapshot.remainingTokens !== undefined && snapshot.remainingTokens < Math.max(1, permit.tokens);
	}

	/**
	 * The local view: whether this process's own requests (or tokens) of the last second
	 * stay clearly under the per-second share of the limit, so that a spent budget means
	 * others spend too. Without known limits, every spent budget counts as shared.
	 */
	private someoneElseSpends(bucket: Bucket, now: number): boolean {
		this.pruneOwnStarts(bucket, now);
		if (!bucket.limitRequests && !bucket.limitTokens) return true;
		const lastSecond = bucket.ownStarts.filter((start) => start.at > now - 1000);
		const requests = lastSecond.length;
		const tokens = lastSecond.reduce((sum, start) => sum + start.tokens, 0);
		const requestsLeft = !bucket.limitRequests || requests < (OWN_SHARE_FOR_CONTENTION * bucket.limitRequests) / 60;
		const tokensLeft = !bucket.limitTokens || tokens < (OWN_SHARE_FOR_CONTENTION * bucket.limitTokens) / 60;
		return requestsLeft && tokensLeft;
	}

	/** Whether budget-spent 429s are the rule lately, not the odd one. */
	private spentOften(bucket: Bucket): boolean {
		const spent = bucket.recent.filter((answer) => answer === 'budget_spent').length;
		return bucket.recent.length >= RECENT_SPENT / 2 && spent >= SPENT_SHARE_FOR_CONTENTION * bucket.recent.length;
	}

	private pruneOwnStarts(bucket: Bucket, now: number): void {
		while (bucket.ownStarts.length && bucket.ownStarts[0].at <= now - 1000 - ANSWER_SLACK_MS) bucket.ownStarts.shift();
	}

	private intervalMs(bucket: Bucket): number {
		return bucket.limitRequests ? 60_000 / (bucket.limitRequests * TARGET_UTILISATION * bucket.pace) : 0;
	}

	private msPerToken(bucket: Bucket): number {
		return bucket.limitTokens ? 60_000 / (bucket.limitTokens * TARGET_UTILISATION * bucket.pace) : 0;
	}

	/** How long the remaining-budget headers say to hold off, for one more request. */
	private budgetWaitMs(bucket: Bucket, tokens: number, now: number): number {
		const since = now - bucket.observedAt;
		let wait = 0;
		const started = bucket.startedSinceObservation;
		if (
			bucket.remainingRequests !== undefined &&
			bucket.limitRequests &&
			bucket.resetRequestsMs !== undefined &&
			bucket.remainingRequests - started < 1
		) {
			const perUnit = bucket.resetRequestsMs / Math.max(1, bucket.limitRequests - bucket.remainingRequests);
			wait = Math.max(wait, (1 + started - bucket.remainingRequests) * perUnit - since);
		}
		if (
			bucket.remainingTokens !== undefined &&
			bucket.limitTokens &&
			bucket.resetTokensMs !== undefined &&
			tokens > bucket.remainingTokens
		) {
			const perUnit = bucket.resetTokensMs / Math.max(1, bucket.limitTokens - bucket.remainingTokens);
			wait = Math.max(wait, (tokens - bucket.remainingTokens) * perUnit - since);
		}
		return Math.max(0, wait);
	}

	/** The earliest moment this waiter may start, given everything known now. */
	private earliestStart(bucket: Bucket, waiter: Waiter, now: number): number {
		if (!bucket.calibrated && bucket.inFlight > 0) return Number.POSITIVE_INFINITY;
		let at = Math.max(now, bucket.pausedUntil, now + this.budgetWaitMs(bucket, waiter.tokens, now));
		const interval = this.intervalMs(bucket);
		if (interval) at = Math.max(at, bucket.lastStartAt + interval);
		if (this.msPerToken(bucket)) at = Math.max(at, bucket.tokenFreeAt);
		if (waiter.capRpm) {
			const spacing = 60_000 / (waiter.capRpm * CAP_UTILISATION);
			at = Math.max(at, (bucket.capStarts.get(waiter.capRpm) ?? Number.NEGATIVE_INFINITY) + spacing);
		}
		return at;
	}

	private grant(bucket: Bucket, name: string, index: number, now: number): void {
		const [waiter] = bucket.queue.splice(index, 1);
		bucket.inFlight++;
		bucket.startedSinceObservation++;
		bucket.lastStartAt = onGrid(bucket.lastStartAt + this.intervalMs(bucket), now);
		bucket.ownStarts.push({ at: now, tokens: waiter.tokens });
		this.pruneOwnStarts(bucket, now);
		const perToken = this.msPerToken(bucket);
		if (perToken) bucket.tokenFreeAt = onGrid(bucket.tokenFreeAt, now) + waiter.tokens * perToken;
		if (waiter.capRpm) bucket.capStarts.set(waiter.capRpm, now);
		waiter.grant({ bucket: name, tokens: waiter.tokens });
	}

	/** Interrupts the pump's sleep: something changed (an answer, a new waiter, a cancellation). */
	private poke(bucket: Bucket): void {
		bucket.wake?.abort();
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
					const at = this.earliestStart(bucket, bucket.queue[i], now);
					if (at <= now) {
						this.grant(bucket, name, i, now);
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
				await sleep(ms, wake.signal).catch(() => undefined);
				bucket.wake = undefined;
			}
		} finally {
			bucket.pumping = false;
		}
	}
}

/** One limiter per rate-limit identity, for the whole process. */
export const rateLimiters = new IdleRegistry<KeyRateLimiter>(() => new KeyRateLimiter());
