import { parseDurationMs, parseRateLimitHeaders, retryAfterMs, retryHintFromMessage } from '../../nodes/shared/http/headers';

describe('Go durations in x-ratelimit-reset-*', () => {
	test.each([
		['1s', 1000],
		['6m0s', 360_000],
		['20ms', 20],
		['1h2m3.5s', 3_723_500],
		['8.64s', 8640],
		['0s', 0],
		['2', 2000],
	])('%s = %d ms', (text, ms) => expect(parseDurationMs(text)).toBeCloseTo(ms, 6));

	test('ms is never read as minutes', () => expect(parseDurationMs('12ms')).toBe(12));
	test.each(['', 'soon', '5x'])('%j is not a duration', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

test('rate-limit headers become numbers', () => {
	expect(
		parseRateLimitHeaders({
			'x-ratelimit-limit-requests': '500',
			'x-ratelimit-remaining-requests': '499',
			'x-ratelimit-reset-requests': '120ms',
			'X-RateLimit-Limit-Tokens': '200000',
			'x-ratelimit-remaining-tokens': '199000',
			'x-ratelimit-reset-tokens': '6m0s',
		}),
	).toEqual({
		limitRequests: 500,
		remainingRequests: 499,
		resetRequestsMs: 120,
		limitTokens: 200000,
		remainingTokens: 199000,
		resetTokensMs: 360000,
	});
	expect(parseRateLimitHeaders({})).toEqual({});
});

describe('retry-after', () => {
	const now = Date.parse('2026-11-22T12:00:00Z');
	test('retry-after-ms wins over retry-after', () => {
		expect(retryAfterMs({ 'retry-after-ms': '644.5', 'retry-after': '9' }, now)).toBe(644.5);
	});
	test('retry-after in seconds', () => expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000));
	test('retry-after as an HTTP date', () => {
		expect(retryAfterMs({ 'retry-after': 'Sun, 22 Nov 2026 12:00:05 GMT' }, now)).toBe(5000);
	});
	test('absent or unusable', () => {
		expect(retryAfterMs({}, now)).toBeUndefined();
		expect(retryAfterMs({ 'retry-after': 'later' }, now)).toBeUndefined();
	});
	test('the hint inside OpenAI 429 messages', () => {
		expect(retryHintFromMessage('Rate limit reached ... Please try again in 644ms. Visit')).toBe(644);
		expect(retryHintFromMessage('Please try again in 1.5s.')).toBe(1500);
		expect(retryHintFromMessage('Please try again in 6m0s.')).toBe(360_000);
		expect(retryHintFromMessage('no hint')).toBeUndefined();
	});
});
