/**
 * Reading OpenAI's response headers: rate-limit state, retry hints and the request id.
 * Pure functions, no I/O.
 */

export type HeaderBag = Record<string, unknown> | undefined;

/** Case-insensitive header lookup that tolerates array values. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted || value === undefined || value === null) continue;
		const first = Array.isArray(value) ? value[0] : value;
		return first === undefined || first === null ? undefined : String(first).trim();
	}
	return undefined;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g;
const UNIT_MS: Record<string, number> = {
	h: 3_600_000,
	m: 60_000,
	s: 1000,
	ms: 1,
	us: 0.001,
	µs: 0.001,
	ns: 0.000001,
};

/**
 * Parses a Go-style duration as OpenAI sends it in `x-ratelimit-reset-*`
 * (`1s`, `6m0s`, `20ms`, `1h2m3.5s`). A bare number is taken as seconds.
 * The alternation lists `ms` before `m`, so `20ms` is never read as 20 minutes.
 */
export function parseDurationMs(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (text === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	let total = 0;
	let consumed = 0;
	for (const match of text.matchAll(DURATION_PART)) {
		total += Number(match[1]) * UNIT_MS[match[2]];
		consumed += match[0].length;
	}
	return consumed === text.length && consumed > 0 ? total : undefined;
}

function parseCount(value: string | undefined): number | undefined {
	if (value === undefined || value === '') return undefined;
	const n = Number(value);
	return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export interface RateLimitSnapshot {
	limitRequests?: number;
	remainingRequests?: number;
	resetRequestsMs?: number;
	limitTokens?: number;
	remainingTokens?: number;
	resetTokensMs?: number;
}

export function parseRateLimitHeaders(headers: HeaderBag): RateLimitSnapshot {
	const snapshot: RateLimitSnapshot = {
		limitRequests: parseCount(headerValue(headers, 'x-ratelimit-limit-requests')),
		remainingRequests: parseCount(headerValue(headers, 'x-ratelimit-remaining-requests')),
		resetRequestsMs: parseDurationMs(headerValue(headers, 'x-ratelimit-reset-requests')),
		limitTokens: parseCount(headerValue(headers, 'x-ratelimit-limit-tokens')),
		remainingTokens: parseCount(headerValue(headers, 'x-ratelimit-remaining-tokens')),
		resetTokensMs: parseDurationMs(headerValue(headers, 'x-ratelimit-reset-tokens')),
	};
	for (const key of Object.keys(snapshot) as Array<keyof RateLimitSnapshot>) {
		if (snapshot[key] === undefined) delete snapshot[key];
	}
	return snapshot;
}

export function hasRateLimitInfo(snapshot: RateLimitSnapshot): boolean {
	return Object.keys(snapshot).length > 0;
}

/**
 * The server's own wait hint, in ms: `retry-after-ms` first, then `retry-after`
 * (seconds or an HTTP date). Returns undefined when absent or unusable.
 */
export function retryAfterMs(headers: HeaderBag, nowMs: number): number | undefined {
	const ms = headerValue(headers, 'retry-after-ms');
	if (ms !== undefined && ms !== '') {
		const value = Number(ms);
		if (Number.isFinite(value) && value >= 0) return value;
	}
	const after = headerValue(headers, 'retry-after');
	if (after === undefined || after === '') return undefined;
	const seconds = Number(after);
	if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
	const date = Date.parse(after);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - nowMs);
}

/** OpenAI puts "Please try again in 644ms" (or "in 1.5s", "in 6m0s") into 429 messages. */
export function retryHintFromMessage(message: string | undefined): number | undefined {
	if (!message) return undefined;
	const match = /try again in ((?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s))+)/i.exec(message);
	return match ? parseDurationMs(match[1]) : undefined;
}

export function requestIdOf(headers: HeaderBag): string | undefined {
	return headerValue(headers, 'x-request-id');
}
