/**
 * What the project's mock claims about OpenAI's rate limits: how they are enforced, and what
 * the headers say about them. The HTTP mock (mock-openai.js) and the pacing simulator
 * (pacing-sim.js) both use this one model, so they make the same claim.
 *
 * Enforcement is the same in every dialect:
 * - **Short windows.** At most limit/60 requests (and tokens) in any one second. OpenAI help
 *   centre, "How can I solve 429: 'Too Many Requests' errors?": "rate limits can be applied
 *   over shorter periods, for example 1 request per second for a 60 RPM limit".
 * - **The per-minute budget** is a bucket as large as the limit, refilled continuously at
 *   limit/60 per second. This is what the header table of OpenAI's rate-limits guide
 *   describes: after one request at a limit of 60, remaining is 59 and reset is 1s, "the time
 *   until the rate limit resets to its initial state". A request the bucket cannot cover is
 *   refused. (With accepted requests alone, the short window keeps the bucket nearly full;
 *   it empties when refused requests count, below.)
 * - **Refused requests count** (`countRefused`, on by default): a refused request takes its
 *   place in the short window and one request from the bucket, as an accepted one does.
 *   Same help-centre article: "unsuccessful requests contribute to your per-minute limit".
 *   OpenAI does not say whether the short window counts them too; counting them there is the
 *   harsher reading (a flood of retries keeps the window full, so that nobody gets through),
 *   and the one this model takes. A refused request counts as a request, not as tokens.
 *
 * Dialects change only the headers (`x-ratelimit-limit/remaining/reset-requests/tokens`):
 * - `bucket` (the default): OpenAI's documented meaning. `remaining` is what the bucket holds,
 *   so one request takes exactly 1 off it, and `reset` is the time until it is full again.
 *   The short window does not show in them.
 * - `scaled`: the short window scaled up to the minute, as this project's mock said until
 *   2026-12: remaining = limit − 60 × the requests of the last second, back to the limit a
 *   second later; reset is when the newest request leaves the window. A claim about no
 *   server in particular: a gateway that reports its own per-second window in OpenAI's names
 *   would say this.
 * - `none`: no rate-limit headers at all, as vLLM, Ollama and many proxies answer.
 *
 * When the headers are read (`headersAt`) is left open by OpenAI too. `answer` (the default):
 * as the limits stand when the answer leaves, a latency after the request came in. `admission`:
 * as they stood when the request was let in, its own request counted, which is what the
 * rate-limits guide's example reads like (after one request at a limit of 60, remaining 59 and
 * reset "1s": a full second to refill, as if no time had passed), and what a gateway in front
 * of the model, which decides before the model runs, would naturally send (Envoy's rate-limit
 * service, for one, hands its X-RateLimit-* headers to the proxy at its check: envoyproxy/
 * ratelimit pull request 56). The mock and the simulator can answer either way.
 *
 * Plain JavaScript: the mock needs node:http, which the community-node lint bans in TypeScript.
 */
'use strict';

const DIALECTS = ['bucket', 'scaled', 'none'];
const WINDOW_MS = 1000;

/** "12ms", "1.5s", "6m0s": Go durations, as OpenAI writes them. */
function formatDuration(ms) {
	if (ms < 1000) return `${Math.max(1, Math.ceil(ms))}ms`;
	const s = ms / 1000;
	if (s < 60) return `${Math.round(s * 1000) / 1000}s`;
	const m = Math.floor(s / 60);
	return `${m}m${Math.round((s - m * 60) * 1000) / 1000}s`;
}

/** One limit (requests or tokens): its short window and its bucket. */
class Limit {
	constructor(perMinute) {
		this.perMinute = perMinute;
		this.perWindow = perMinute / 60;
		this.refillPerMs = perMinute / 60_000;
		/** @type {Array<{ at: number, amount: number }>} */
		this.window = [];
		this.level = perMinute;
		this.levelAt = 0;
	}

	refill(now) {
		if (now > this.levelAt) {
			this.level = Math.min(this.perMinute, this.level + (now - this.levelAt) * this.refillPerMs);
			this.levelAt = now;
		}
		while (this.window.length && this.window[0].at <= now - WINDOW_MS) this.window.shift();
	}

	inWindow() {
		return this.window.reduce((sum, e) => sum + e.amount, 0);
	}

	/** How long until `amount` more fits, or 0 when it fits now; -1 when it never can. */
	waitFor(amount, now) {
		if (amount > this.perWindow) return -1;
		let wait = 0;
		const used = this.inWindow();
		if (used + amount > this.perWindow) {
			let freed = 0;
			const need = used + amount - this.perWindow;
			wait = WINDOW_MS;
			for (const e of this.window) {
				freed += e.amount;
				if (freed >= need) {
					wait = e.at + WINDOW_MS - now;
					break;
				}
			}
		}
		if (this.level < amount) wait = Math.max(wait, (amount - this.level) / this.refillPerMs);
		return Math.max(0, wait);
	}

	count(amount, now) {
		if (amount <= 0) return;
		this.window.push({ at: now, amount });
		this.level = Math.max(0, this.level - amount);
	}
}

/**
 * @typedef {{ rpm?: number, tpm?: number, dialect?: 'bucket'|'scaled'|'none', countRefused?: boolean, headersAt?: 'answer'|'admission' }} RateLimitOptions
 */

class RateLimitModel {
	/**
	 * @param {RateLimitOptions} options
	 */
	constructor(options = {}) {
		const dialect = options.dialect ?? 'bucket';
		/** When the headers of an answer are read: as it leaves, or as its request was let in. */
		this.headersAt = options.headersAt ?? 'answer';
		if (!DIALECTS.includes(dialect)) throw new Error(`unknown dialect ${dialect}; one of ${DIALECTS.join(', ')}`);
		this.dialect = dialect;
		this.countRefused = options.countRefused ?? true;
		this.rpm = options.rpm || 0;
		this.tpm = options.tpm || 0;
		this.requests = this.rpm ? new Limit(this.rpm) : undefined;
		this.tokens = this.tpm ? new Limit(this.tpm) : undefined;
		/** Accepted and refused, for reports. */
		this.accepted = 0;
		this.refused = 0;
	}

	/**
	 * A request arrives at `now` asking for `tokens` (prompt plus max output). Returns
	 * undefined when it is accepted (and counted), else why it is refused and how long until
	 * it would fit (`waitMs` -1: never, it is larger than the per-second share).
	 */
	take(tokens, now) {
		this.requests?.refill(now);
		this.tokens?.refill(now);
		const requestWait = this.requests ? this.requests.waitFor(1, now) : 0;
		const tokenWait = this.tokens ? this.tokens.waitFor(tokens, now) : 0;
		if (requestWait === 0 && tokenWait === 0) {
			this.requests?.count(1, now);
			this.tokens?.count(tokens, now);
			this.accepted++;
			return undefined;
		}
		this.refused++;
		if (this.countRefused) this.requests?.count(1, now);
		if (requestWait !== 0) {
			return { kind: 'requests', waitMs: requestWait, limit: this.rpm, used: Math.round(this.rpm - (this.requests?.level ?? 0)) };
		}
		return { kind: 'tokens', waitMs: tokenWait, limit: this.tpm, used: Math.round(this.tpm - (this.tokens?.level ?? 0)), requested: tokens };
	}

	/** The x-ratelimit-* headers of an answer given at `now`, in this model's dialect. */
	headers(now) {
		if (this.dialect === 'none') return {};
		const h = {};
		const write = (limit, unit) => {
			if (!limit) return;
			limit.refill(now);
			let remaining;
			let resetMs;
			if (this.dialect === 'bucket') {
				remaining = Math.floor(limit.level);
				resetMs = (limit.perMinute - limit.level) / limit.refillPerMs;
			} else {
				const count = limit.inWindow();
				remaining = Math.max(0, Math.floor(limit.perMinute - count * 60));
				const newest = limit.window.length ? limit.window[limit.window.length - 1].at : now - WINDOW_MS;
				resetMs = count ? Math.max(0, newest + WINDOW_MS - now) : 0;
			}
			h[`x-ratelimit-limit-${unit}`] = String(limit.perMinute);
			h[`x-ratelimit-remaining-${unit}`] = String(remaining);
			h[`x-ratelimit-reset-${unit}`] = formatDuration(resetMs);
		};
		write(this.requests, 'requests');
		write(this.tokens, 'tokens');
		return h;
	}

	reset() {
		if (this.rpm) this.requests = new Limit(this.rpm);
		if (this.tpm) this.tokens = new Limit(this.tpm);
		this.accepted = 0;
		this.refused = 0;
	}
}

module.exports = { RateLimitModel, DIALECTS, formatDuration };
