/**
 * One outage, one wait, per key. When the server looks down (connections refused or reset,
 * an unknown host, server errors in a row), every request on the key in this process waits,
 * and a single probe goes out at growing intervals. The first answer that is not a failure
 * of the server ends the outage; the waiting requests then go out at the paced rate, a few at
 * first. Where no request reaches the server (refused, unknown host), the checks go every
 * half second. Pure state, driven by the rate limiter; times are numbers.
 */

/** Failures of the server in a row (no answer in between) that make an outage. */
const DOWN_IN_A_ROW = 3;
/** The first probe this long after the outage began; each next one later by this factor... */
const FIRST_PROBE_MS = 1_000;
const PROBE_GROWTH = 1.5;
/** ...up to this: at most one request every few seconds reaches a server that is down. */
export const MAX_PROBE_INTERVAL_MS = 2_500;
/**
 * When no request reaches the server at all (the connection is refused: nothing listens; the
 * host name is unknown), a check costs the server nothing, so it goes this often: the items
 * resume within half a second of the server listening again.
 */
export const UNREACHED_PROBE_INTERVAL_MS = 500;
/** After an outage, at most this many requests in flight at first, one more per answer. */
const RAMP_START = 2;
/** The ramp ends here. */
const RAMP_END = 32;
/** Outages remembered, for the output pane's hint. */
const HISTORY = 20;

export interface OutageRecord {
	since: number;
	until?: number;
	/** What the server did: "HTTP 503", "connection refused"… */
	reason: string;
	probes: number;
}

export class OutageWatch {
	private downInARow = 0;
	/** When the current streak of failures began. */
	private downSince = 0;
	current?: OutageRecord & { nextProbeAt: number; intervalMs: number; probing: boolean };
	readonly history: OutageRecord[] = [];
	/** In-flight cap while coming back from an outage; undefined: none. */
	rampCap?: number;

	get active(): boolean {
		return this.current !== undefined;
	}

	/** Whether a probe may go out now; when not, when it may (Infinity: one is in flight). */
	probeAt(): number {
		const current = this.current;
		if (!current) return Number.NEGATIVE_INFINITY;
		return current.probing ? Number.POSITIVE_INFINITY : current.nextProbeAt;
	}

	probeSent(): void {
		if (!this.current) return;
		this.current.probing = true;
		this.current.probes++;
	}

	/**
	 * A failure of the server (down); `reached`: the request got to the server (a 5xx, a reset),
	 * not a refused connection or an unknown host. Returns the outage when this one began it.
	 */
	down(now: number, reason: string, wasProbe: boolean, reached = true): OutageRecord | undefined {
		const most = reached ? MAX_PROBE_INTERVAL_MS : UNREACHED_PROBE_INTERVAL_MS;
		if (this.downInARow === 0) this.downSince = now;
		this.downInARow++;
		const current = this.current;
		if (current) {
			if (wasProbe) {
				current.probing = false;
				current.intervalMs = Math.min(most, current.intervalMs * PROBE_GROWTH);
				current.nextProbeAt = now + current.intervalMs;
				current.reason = reason;
			}
			return undefined;
		}
		if (this.downInARow < DOWN_IN_A_ROW) return undefined;
		const first = Math.min(FIRST_PROBE_MS, most);
		this.current = { since: this.downSince, reason, probes: 0, nextProbeAt: now + first, intervalMs: first, probing: false };
		this.history.push(this.current);
		if (this.history.length > HISTORY) this.history.shift();
		this.rampCap = undefined;
		return this.current;
	}

	/** An answer from the server that is not a failure of the server. Returns the outage it ended. */
	up(now: number): OutageRecord | undefined {
		this.downInARow = 0;
		if (this.rampCap !== undefined) {
			this.rampCap++;
			if (this.rampCap >= RAMP_END) this.rampCap = undefined;
		}
		const current = this.current;
		if (!current) return undefined;
		current.until = now;
		this.current = undefined;
		this.rampCap = RAMP_START;
		const { nextProbeAt, intervalMs, probing, ...record } = current;
		void nextProbeAt;
		void intervalMs;
		void probing;
		const index = this.history.indexOf(current);
		if (index >= 0) this.history[index] = record;
		return record;
	}

	/** A probe that got no verdict (cancelled, or a failure that says nothing about the server). */
	probeLost(now: number): void {
		if (this.current?.probing) {
			this.current.probing = false;
			this.current.nextProbeAt = now;
		}
	}

	/** How long the server was unavailable between `from` and `to` (outages overlapping it). */
	unavailableMs(from: number, to: number): number {
		let total = 0;
		for (const outage of this.history) {
			const end = outage.until ?? to;
			total += Math.max(0, Math.min(end, to) - Math.max(outage.since, from));
		}
		return total;
	}
}
