import { describeHttpFailure, describeNetworkFailure, describeUnusableAnswer, type FailureContext } from '../../nodes/shared/http/failures';

const context: FailureContext = { path: '/chat/completions', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o', timeoutMs: 30_000 };
const body = (message: string, type: string | null, code: string | null) => ({ error: { message, type, param: null, code } });

describe('what is retried', () => {
	test.each([
		[429, body('Rate limit reached. Please try again in 20ms.', 'requests', 'rate_limit_exceeded'), 'rate_limit'],
		[429, body('Rate limit reached on tokens per min.', 'tokens', 'rate_limit_exceeded'), 'rate_limit'],
		[408, body('Request timeout', null, null), 'timeout'],
		[409, body('Conflict', null, null), 'conflict'],
		[500, body('The server had an error', 'server_error', null), 'server'],
		[502, '<html><body>Bad gateway</body></html>', 'html'],
		[503, body('The engine is currently overloaded', 'service_unavailable_error', 'server_is_overloaded'), 'server'],
	])('HTTP %d is retried', (status, payload, kind) => {
		const failure = describeHttpFailure(status, payload, {}, context);
		expect(failure.kind).toBe(kind);
		expect(failure.retryable).toBe(true);
	});

	test.each([
		[429, body('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'), 'quota', /billing/],
		[429, body('Your credit balance is exhausted.', 'insufficient_quota', null), 'quota', /billing/],
		[429, body('Organization spend limit exceeded.', 'insufficient_quota', 'organization_spend_limit_exceeded'), 'quota', /limit/],
		[429, body('Billing hard limit has been reached', 'invalid_request_error', 'billing_hard_limit_reached'), 'quota', /billing/],
		[
			429,
			body('Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000.', 'tokens', 'rate_limit_exceeded'),
			'request_too_large',
			/Shorten/,
		],
		[400, body('Invalid value for temperature', 'invalid_request_error', null), 'bad_request', /options/],
		[400, body("This model's maximum context length is 128000 tokens.", 'invalid_request_error', 'context_length_exceeded'), 'context_length', /Shorten/],
		[401, body('Incorrect API key provided: sk-proj-****abcd.', 'invalid_request_error', 'invalid_api_key'), 'invalid_key', /api-keys/],
		[
			401,
			body('You have insufficient permissions for this operation. Missing scopes: model.request.', 'invalid_request_error', null),
			'missing_permission',
			/permission/,
		],
		[
			401,
			body('OpenAI-Organization header should match organization for API key', 'invalid_request_error', 'mismatched_organization'),
			'wrong_organization',
			/Organization ID/,
		],
		[401, body('OpenAI-Project header should match project for API key', 'invalid_request_error', 'mismatched_project'), 'wrong_project', /Project ID/],
		[403, body('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'), 'region', /supported/],
		[404, body('The model `gpt-9` does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found'), 'model_not_found', /list/],
		[404, body('Invalid URL (POST /v1/chat/completion)', 'invalid_request_error', null), 'not_found', /Base URL/],
	])('HTTP %d (%j) is final', (status, payload, kind, advice) => {
		const failure = describeHttpFailure(status, payload, { 'x-request-id': 'req_1' }, context);
		expect(failure.kind).toBe(kind);
		expect(failure.retryable).toBe(false);
		expect(failure.advice).toMatch(advice);
		expect(failure.requestId).toBe('req_1');
	});

	test('x-should-retry: false wins', () => {
		expect(describeHttpFailure(503, '', { 'x-should-retry': 'false' }, context).retryable).toBe(false);
	});

	test('a project key on an organization endpoint is explained', () => {
		const failure = describeHttpFailure(
			401,
			body('You have insufficient permissions for this operation. Missing scopes: api.usage.read.', 'invalid_request_error', null),
			{},
			{ ...context, adminEndpoint: true },
		);
		expect(failure.kind).toBe('admin_key_required');
		expect(failure.advice).toMatch(/Project keys .* admin keys/);
	});
});

describe('network failures', () => {
	const wrap = (code: string, message = code) => ({ message: 'wrapped', cause: Object.assign(new Error(message), { code }) });
	test.each([
		[wrap('ECONNRESET', 'socket hang up'), 'connection_reset'],
		[wrap('ECONNABORTED', 'timeout of 30000ms exceeded'), 'timeout'],
		[wrap('ETIMEDOUT'), 'timeout'],
		[wrap('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 'unreachable'],
		[wrap('ENOTFOUND', 'getaddrinfo ENOTFOUND api.openai.cm'), 'dns'],
	])('%j', (error, kind) => {
		const failure = describeNetworkFailure(error, context);
		expect(failure.kind).toBe(kind);
		expect(failure.retryable).toBe(true);
		// n8n rewrites messages that contain raw error codes; ours must not.
		expect(failure.title).not.toMatch(/E[A-Z]{4,}/);
	});
});

describe('a 2xx that is not an answer', () => {
	test.each([
		['an error object of a retryable type', body('The server had an error', 'server_error', null), 'server', true],
		['a rate-limit error object', body('Rate limit reached. Please try again in 20ms.', 'requests', 'rate_limit_exceeded'), 'rate_limit', true],
		['an invalid-request error object', body("Invalid value for 'temperature'.", 'invalid_request_error', null), 'bad_request', false],
		['a quota error object', body('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'), 'quota', false],
		['an error object of an unknown type', body('Something odd', 'gateway_error', null), 'error_answer', false],
		['a body without choices', { id: 'chatcmpl-1', object: 'chat.completion', usage: {} }, 'malformed', true],
		['text that is not JSON', '{"id": "chatcmpl-1", "choi', 'not_json', true],
	])('%s', (_, payload, kind, retryable) => {
		const failure = describeUnusableAnswer(200, payload, { 'x-request-id': 'req_2' }, context);
		expect(failure.kind).toBe(kind);
		expect(failure.retryable).toBe(retryable);
		expect(failure.status).toBe(200);
		expect(failure.requestId).toBe('req_2');
	});

	test("an error object keeps the server's words and says it came in a 2xx", () => {
		const failure = describeUnusableAnswer(200, body('Upstream model crashed', 'server_error', null), {}, context);
		expect(failure.upstreamMessage).toBe('Upstream model crashed');
		expect(failure.title).toMatch(/inside an HTTP 200 answer/);
	});

	test('a malformed answer shows what came back, shortened', () => {
		const failure = describeUnusableAnswer(200, { id: 'x', data: 'y'.repeat(1000) }, {}, context);
		expect(failure.rawBody!.length).toBeLessThanOrEqual(301);
		expect(failure.title).toMatch(/chat completion/);
	});
});

describe('wording follows the server that was called', () => {
	const wrongKey = body('Incorrect API key provided: sk-proj-****abcd.', 'invalid_request_error', 'invalid_api_key');
	test('api.openai.com: OpenAI rejected the key, with the dashboard link', () => {
		const failure = describeHttpFailure(401, wrongKey, {}, context);
		expect(failure.title).toBe('OpenAI rejected the API key: it is wrong, incomplete or revoked');
		expect(failure.advice).toMatch(/platform\.openai\.com\/api-keys/);
	});

	test('another Base URL: that server rejected the key, and no OpenAI dashboard link', () => {
		const failure = describeHttpFailure(401, wrongKey, {}, { ...context, baseUrl: 'http://localhost:11434/v1' });
		expect(failure.title).toBe('The server at localhost:11434 rejected the API key');
		expect(failure.advice).not.toMatch(/platform\.openai\.com/);
		expect(failure.advice).toMatch(/localhost:11434/);
	});
});
