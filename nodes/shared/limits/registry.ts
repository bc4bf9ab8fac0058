/**
 * The process-wide state: what every execution, node and item in this n8n process
 * shares. Entries are found by a key (a rate-limit identity, an execution id) and
 * forgotten when idle, so memory stays flat over days of executions.
 *
 * n8n loads each node file with the same module cache, so this module exists once per
 * process. Queue-mode workers are separate processes: nothing here crosses them.
 */
import { createHash } from 'crypto';

export interface Expirable {
	/** Busy entries (requests in flight, waiters) are never forgotten. */
	isBusy(): boolean;
}

/** How long an unused entry is kept. */
export const IDLE_MS = 15 * 60_000;
/** Sweeps happen during normal use (no timers), at most this often. */
const SWEEP_EVERY_MS = 60_000;

export class IdleRegistry<V extends Expirable> {
	private readonly entries = new Map<string, { value: V; lastUsed: number }>();
	private lastSweep = 0;

	constructor(
		private readonly create: (key: string) => V,
		private readonly idleMs = IDLE_MS,
		private readonly now: () => number = Date.now,
	) {}

	/** The entry for key, created on first use; marks it used. */
	get(key: string): V {
		const now = this.now();
		this.sweep(now);
		let entry = this.entries.get(key);
		if (!entry) {
			entry = { value: this.create(key), lastUsed: now };
			this.entries.set(key, entry);
		}
		entry.lastUsed = now;
		return entry.value;
	}

	/** The entry for key if it exists, without creating or touching it. */
	peek(key: string): V | undefined {
		return this.entries.get(key)?.value;
	}

	get size(): number {
		return this.entries.size;
	}

	/** Forgets entries idle for longer than idleMs; `force` sweeps now (tests). */
	sweep(now = this.now(), force = false): void {
		if (!force && now - this.lastSweep < Math.min(this.idleMs, SWEEP_EVERY_MS)) return;
		this.lastSweep = now;
		for (const [key, entry] of this.entries) {
			if (now - entry.lastUsed > this.idleMs && !entry.value.isBusy()) this.entries.delete(key);
		}
	}

	clear(): void {
		this.entries.clear();
	}
}

/**
 * Who shares a rate limit: the same key at the same server for the same organization
 * and project. The key itself is only hashed, never kept.
 */
export function rateLimitIdentity(parts: { baseUrl: string; apiKey: string; organizationId?: string; projectId?: string }): string {
	return createHash('sha256')
		.update([parts.baseUrl, parts.organizationId ?? '', parts.projectId ?? '', parts.apiKey].join('\n'))
		.digest('hex')
		.slice(0, 32);
}

/** A failure every request of an execution with one key would repeat, kept for that execution. */
export interface SharedFailureSlot<F> extends Expirable {
	failure?: F;
}

/**
 * Per execution and key: the failure that stops sending (wrong key, no credit…), so that
 * no node of the execution sends with that key again. Keyed "execution|identity".
 */
export const executionFailures = new IdleRegistry<SharedFailureSlot<import('../http/failures').Failure>>(() => ({ isBusy: () => false }), 60 * 60_000);
