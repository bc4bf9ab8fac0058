/**
 * What a failed attempt means: `classify` names the kind of failure from the answer
 * (or the network error), and one table says, per kind, whether it is retried, whether
 * every later request would fail the same way, and what the user reads. It reads like
 * the README's retry table. Pure functions, no I/O.
 */
import { formatDuration } from '../format';
import { ADMIN_KEYS_PAGE, API_KEYS_PAGE, BILLING_PAGE, LIMITS_PAGE, STATUS_PAGE, SUPPORTED_COUNTRIES_PAGE } from '../links';
import { headerValue, requestIdOf, type HeaderBag } from './headers';

export type FailureKind =
	| 'rate_limit'
	| 'request_too_large'
	| 'quota'
	| 'invalid_key'
	| 'missing_permission'
	| 'admin_key_required'
	| 'wrong_organization'
	| 'wrong_project'
	| 'region'
	| 'forbidden'
	| 'model_not_found'
	| 'not_found'
	| 'no_batch_api'
	| 'context_length'
	| 'bad_request'
	| 'timeout'
	| 'conflict'
	| 'server'
	| 'html'
	| 'not_json'
	| 'malformed'
	| 'error_answer'
	| 'connection_reset'
	| 'unreachable'
	| 'dns';

/** Where the failed request went; the words of some messages depend on it. */
export interface FailureContext {
	path: string;
	baseUrl: string;
	model?: string;
	adminEndpoint?: boolean;
	timeoutMs: number;
}

export interface Failure {
	kind: FailureKind;
	retryable: boolean;
	/** When set, every later request of this execution would fail the same way. */
	affectsAllItems: boolean;
	/** Whether OpenAI may have billed the attempt: unknown after a timeout or a cut answer. */
	maybeBilled: boolean;
	/** The server looks down (refused, unknown host, reset, a server error): a sign of an outage, for the per-key pause. */
	down: boolean;
	status?: number;
	code?: string;
	type?: string;
	requestId?: string;
	/** The server's own words, secrets removed later. */
	upstreamMessage?: string;
	/** The start of a body that was not an answer (secrets removed later). */
	rawBody?: string;
	headers?: HeaderBag;
	title: string;
	advice: string;
}

interface OpenAiErrorBody {
	message?: string;
	type?: string;
	code?: string;
	numericCode?: number;
	param?: string;
}

/** Everything `classify` and the table look at. */
interface Facts extends OpenAiErrorBody {
	status?: number;
	context: FailureContext;
	/** Host of the Base URL, for messages about a server that is not OpenAI. */
	host: string;
	isOpenAi: boolean;
	/** The error came inside a 2xx answer. */
	inSuccess?: boolean;
}

interface Rule {
	retryable: boolean;
	affectsAllItems?: boolean;
	maybeBilled?: boolean;
	down?: boolean;
	title: (facts: Facts) => string;
	advice: (facts: Facts) => string;
}

const QUOTA_CODES = new Set([
	'insufficient_quota',
	'billing_hard_limit_reached',
	'credit_balance_exhausted',
	'organization_spend_limit_exceeded',
	'project_spend_limit_exceeded',
	'organization_usage_limit_exceeded',
]);

const server = (facts: Facts): string => (facts.isOpenAi ? 'OpenAI' : `The server at ${facts.host}`);

/** The one table: per kind, retry or not, and what the user reads. */
const RULES: Record<FailureKind, Rule> = {
	rate_limit: {
		retryable: true,
		title: (f) => (f.isOpenAi ? 'OpenAI rate limit exceeded' : `Rate limit exceeded at ${f.host}`),
		advice: () =>
			`Too many requests or tokens per minute for this key. It was retried with growing waits; lower Concurrency, set a Requests per Minute Cap, or raise Keep Retrying For. Your limits: ${LIMITS_PAGE}.`,
	},
	request_too_large: {
		retryable: false,
		title: () => 'This request alone is larger than your tokens-per-minute limit',
		advice: () => `Shorten the input or lower Max Tokens, or ask OpenAI for a higher limit at ${LIMITS_PAGE}. Waiting does not help, so this was not retried.`,
	},
	quota: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'Your OpenAI account has no credit left or has reached its spending limit',
		advice: () =>
			`Add a payment method or credits at ${BILLING_PAGE}, or raise the usage limit at ${LIMITS_PAGE}. Retrying cannot help, so this was not retried.`,
	},
	invalid_key: {
		retryable: false,
		affectsAllItems: true,
		title: (f) => (f.isOpenAi ? 'OpenAI rejected the API key: it is wrong, incomplete or revoked' : `The server at ${f.host} rejected the API key`),
		advice: (f) =>
			f.isOpenAi
				? `Create a new secret key at ${f.context.adminEndpoint ? ADMIN_KEYS_PAGE : API_KEYS_PAGE} and paste it into the credential's API Key field.`
				: `Check the API Key in the credential: the Base URL points to ${f.host}, so it needs a key that this server accepts.`,
	},
	missing_permission: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'The API key is valid but lacks a permission this operation needs',
		advice: () =>
			`Edit the key at ${API_KEYS_PAGE}: give it "All" permissions, or the one named above (for example Models: Read to list models, Model capabilities: Write to chat).`,
	},
	admin_key_required: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'Organization reports and settings need an organization admin key',
		advice: () =>
			`The key was accepted but has no access to organization endpoints. Project keys ("sk-proj-…") call models; admin keys ("sk-admin-…") read usage and costs and change project limits. Only an organization owner can create them, at ${ADMIN_KEYS_PAGE}.`,
	},
	wrong_organization: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'The API key does not belong to the organization in the credential',
		advice: () =>
			'Clear the Organization ID field in the credential, or enter the ID of the organization this key belongs to (Settings → Organization → General).',
	},
	wrong_project: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'The API key does not belong to the project in the credential',
		advice: () => 'Clear the Project ID field in the credential, or enter the ID of the project this key was created in.',
	},
	region: {
		retryable: false,
		affectsAllItems: true,
		title: () => 'OpenAI does not serve the country or region this request comes from',
		advice: () => `OpenAI decides by the location of the n8n server, not yours. Run n8n in a supported region (${SUPPORTED_COUNTRIES_PAGE}).`,
	},
	forbidden: {
		retryable: false,
		title: (f) => `${server(f)} refused access to this operation (HTTP ${f.status ?? 403})`,
		advice: () =>
			"The key, its project or its organization is not allowed to do this. Check the project's model and endpoint permissions in the OpenAI dashboard.",
	},
	model_not_found: {
		retryable: false,
		title: (f) => `The ${f.context.model ? `"${f.context.model}"` : 'requested'} model does not exist or this key cannot use it`,
		advice: () =>
			"Pick a model from the list (it shows only models this key can use), check the spelling of the ID, or allow the model in the project's settings.",
	},
	not_found: {
		retryable: false,
		title: (f) => `Nothing was found at ${f.context.baseUrl}${f.context.path} (HTTP 404)`,
		advice: () => 'Check the Base URL in the credential: for OpenAI it is https://api.openai.com/v1, and compatible servers usually end in /v1 too.',
	},
	no_batch_api: {
		retryable: false,
		affectsAllItems: true,
		title: (f) => `${f.isOpenAi ? 'OpenAI' : `The server at ${f.host}`} has no Batch API: ${f.context.path} answered HTTP 404`,
		advice: (f) =>
			f.isOpenAi
				? 'Check the Base URL in the credential: for OpenAI it is https://api.openai.com/v1.'
				: 'Many OpenAI-compatible servers (vLLM, Ollama, proxies) offer chat completions but not the Files and Batches endpoints the Batch node needs. Use the OpenAI Reliable Chat node instead: it sends each item as its own request, with the same fields. If the server should have a Batch API, check the Base URL in the credential.',
	},
	context_length: {
		retryable: false,
		title: () => "The input is longer than the model's context window",
		advice: () => 'Shorten the prompt or the conversation history, lower Max Tokens, or choose a model with a larger context window.',
	},
	bad_request: {
		retryable: false,
		title: (f) => `${server(f)} rejected the request as invalid${f.param ? ` (parameter "${f.param}")` : ''}`,
		advice: () => "Check the node's options against what this model supports; the reason is quoted above.",
	},
	timeout: {
		retryable: true,
		maybeBilled: true,
		title: (f) =>
			f.status === 408
				? 'The server timed out waiting for the request (HTTP 408)'
				: `No complete answer from the server within the timeout of ${formatDuration(f.context.timeoutMs)}`,
		advice: (f) =>
			f.status === 408
				? 'Retried automatically; if it persists the service is overloaded.'
				: "Long answers take time: raise Timeout in the node's Request Settings, or lower Max Tokens. A server that sends its answer very slowly is cut off at the Timeout too.",
	},
	conflict: {
		retryable: true,
		title: () => 'The server reported a conflict (HTTP 409)',
		advice: () => 'This is usually temporary and was retried automatically.',
	},
	server: {
		retryable: true,
		down: true,
		title: (f) => `${f.isOpenAi ? "OpenAI's service" : `The server at ${f.host}`} is having problems (HTTP ${f.status})`,
		advice: () =>
			`This is on the server's side, not in your workflow. Try again later (status: ${STATUS_PAGE}), or raise Keep Retrying For in the Request Settings to ride out longer outages.`,
	},
	html: {
		retryable: true,
		down: true,
		title: (f) => `The server answered with a web page instead of JSON (HTTP ${f.status})`,
		advice: (f) =>
			`A proxy, gateway or firewall between n8n and ${f.context.baseUrl} answered instead of the API. It was retried; if it persists, check the Base URL and any proxy.`,
	},
	not_json: {
		retryable: true,
		maybeBilled: true,
		title: () => "The server's answer was not the JSON the API returns",
		advice: (f) =>
			`Something between n8n and ${f.context.baseUrl} changed or cut the answer. It was retried; if it persists, check the Base URL and any proxy.`,
	},
	malformed: {
		retryable: true,
		maybeBilled: true,
		title: (f) => `The server answered HTTP ${f.status ?? 200}, but not with ${describeExpected(f.context.path)}`,
		advice: (f) =>
			`A gateway or an OpenAI-compatible server at ${f.host} sent something else. It was retried; if it persists, check the Base URL and the server. The start of what came back is shown below.`,
	},
	error_answer: {
		retryable: false,
		title: (f) => `The server answered HTTP ${f.status ?? 200} with an error`,
		advice: (f) =>
			`The server at ${f.host} reported a failure inside a successful answer. The reason is quoted above; check the node's options and the server.`,
	},
	connection_reset: {
		retryable: true,
		down: true,
		maybeBilled: true,
		title: () => 'The connection closed before the answer arrived',
		advice: () =>
			'This is usually a passing network problem and was retried automatically. If it persists, check proxies or firewalls between n8n and the API.',
	},
	unreachable: {
		retryable: true,
		down: true,
		title: (f) => `Could not connect to ${f.host}: nothing answered there`,
		advice: () => 'Check the Base URL in the credential (host and port), and that the server is running and reachable from the n8n server.',
	},
	dns: {
		retryable: true,
		down: true,
		title: (f) => `The server name "${f.host}" could not be found`,
		advice: () => 'Check the Base URL in the credential for typos, and that the n8n server can reach the internet (DNS).',
	},
};

function describeExpected(path: string): string {
	if (path.startsWith('/chat/completions')) return 'a chat completion (it has no "choices" with a message)';
	if (path.startsWith('/organization/')) return 'a report page (it has no "data" list)';
	if (path.startsWith('/models')) return 'a list of models';
	if (path.startsWith('/files') || path.startsWith('/batches')) return 'the file or batch that was asked for';
	return 'the answer the API gives';
}

/** Reads `{ error: { message, type, code } }`, and the looser shapes compatible servers use. */
export function openAiError(body: unknown): OpenAiErrorBody {
	if (!body || typeof body !== 'object') return {};
	const record = body as Record<string, unknown>;
	const inner = record.error;
	if (inner && typeof inner === 'object') {
		const error = inner as Record<string, unknown>;
		return {
			message: typeof error.message === 'string' ? error.message : undefined,
			type: typeof error.type === 'string' ? error.type : undefined,
			code: typeof error.code === 'string' ? error.code : typeof error.code === 'number' ? String(error.code) : undefined,
			numericCode: typeof error.code === 'number' ? error.code : undefined,
			param: typeof error.param === 'string' ? error.param : undefined,
		};
	}
	if (typeof inner === 'string') return { message: inner };
	for (const key of ['message', 'detail']) {
		if (typeof record[key] === 'string') return { message: record[key] as string };
	}
	return {};
}

/** Whether a 2xx body is an error object rather than an answer. */
export function hasErrorObject(body: unknown): boolean {
	return !!body && typeof body === 'object' && !Array.isArray(body) && 'error' in body && !!(body as { error?: unknown }).error;
}

export function looksLikeHtml(body: unknown): boolean {
	return typeof body === 'string' && /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(body);
}

/** At most `max` characters of a body, on one line, for messages. */
export function shorten(value: unknown, max = 300): string {
	const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function hostOf(baseUrl: string): string {
	try {
		return new URL(baseUrl).host;
	} catch {
		return baseUrl;
	}
}

function isOpenAiHost(baseUrl: string): boolean {
	try {
		return new URL(baseUrl).hostname.toLowerCase() === 'api.openai.com';
	} catch {
		return false;
	}
}

/**
 * The HTTP status an error object inside a 2xx answer stands for, judged by its type
 * and code, so it is classified like the same error sent with its real status.
 */
function statusOfErrorObject(error: OpenAiErrorBody): number | undefined {
	if (error.numericCode !== undefined && error.numericCode >= 400 && error.numericCode < 600) return error.numericCode;
	const type = error.type ?? '';
	const code = error.code ?? '';
	if (type === 'insufficient_quota' || QUOTA_CODES.has(code)) return 429;
	if (code === 'rate_limit_exceeded' || ['requests', 'tokens', 'rate_limit_error', 'rate_limit_exceeded'].includes(type)) return 429;
	if (code === 'invalid_api_key' || type === 'authentication_error') return 401;
	if (code === 'unsupported_country_region_territory' || type === 'permission_error' || type === 'request_forbidden') return 403;
	if (code === 'model_not_found' || type === 'not_found_error') return 404;
	if (type === 'server_error' || type === 'api_error' || type === 'internal_error') return 500;
	if (type === 'service_unavailable_error' || code === 'server_is_overloaded' || type === 'overloaded_error') return 503;
	if (code === 'context_length_exceeded' || type === 'invalid_request_error') return 400;
	return undefined;
}

/** The kind of an HTTP failure, in the order the README's retry table reads. */
function classifyHttp(f: Facts, body: unknown): FailureKind {
	const status = f.status ?? 0;
	const message = f.message ?? '';
	const code = f.code ?? '';
	if (looksLikeHtml(body) && status >= 500) return 'html';
	if (status === 429) {
		if (f.type === 'insufficient_quota' || QUOTA_CODES.has(code)) return 'quota';
		if (/^request too large/i.test(message)) return 'request_too_large';
		return 'rate_limit';
	}
	if (status === 401 || (status === 403 && f.context.adminEndpoint)) {
		if (code === 'mismatched_organization' || code === 'invalid_organization' || /OpenAI-Organization/i.test(message)) {
			return 'wrong_organization';
		}
		if (code === 'mismatched_project' || /OpenAI-Project/i.test(message)) return 'wrong_project';
		if (f.context.adminEndpoint && code !== 'invalid_api_key') return 'admin_key_required';
		if (/insufficient permissions|missing scopes/i.test(message)) return 'missing_permission';
		return 'invalid_key';
	}
	if (status === 403) {
		return code === 'unsupported_country_region_territory' || /country|region|territory/i.test(message) ? 'region' : 'forbidden';
	}
	if (status === 404) {
		if (code === 'model_not_found' || /model .* does not exist/i.test(message)) return 'model_not_found';
		// Uploading, creating or listing batches: a 404 there means the server has no such endpoint.
		return f.context.path === '/files' || f.context.path === '/batches' ? 'no_batch_api' : 'not_found';
	}
	if (status === 400 || status === 413 || status === 422) {
		return code === 'context_length_exceeded' || /maximum context length|context length|context window/i.test(message) ? 'context_length' : 'bad_request';
	}
	if (status === 408) return 'timeout';
	if (status === 409) return 'conflict';
	if (status >= 500) return 'server';
	return 'bad_request';
}

function build(kind: FailureKind, facts: Facts, extra: Partial<Failure> = {}): Failure {
	const rule = RULES[kind];
	return {
		kind,
		retryable: rule.retryable,
		affectsAllItems: rule.affectsAllItems ?? false,
		maybeBilled: rule.maybeBilled ?? false,
		down: rule.down ?? false,
		status: facts.status,
		code: facts.code,
		type: facts.type,
		upstreamMessage: facts.message,
		title: rule.title(facts),
		advice: rule.advice(facts),
		...extra,
	};
}

function factsFor(context: FailureContext, status?: number): Facts {
	return { status, context, host: hostOf(context.baseUrl), isOpenAi: isOpenAiHost(context.baseUrl) };
}

/** The server's explicit retry instruction, as OpenAI's own SDKs honour it. */
function applyShouldRetry(failure: Failure, headers: HeaderBag): Failure {
	const header = headerValue(headers, 'x-should-retry');
	if (header === 'false' && failure.retryable) return { ...failure, retryable: false };
	if (header === 'true' && !failure.retryable && !failure.affectsAllItems && failure.kind !== 'request_too_large') {
		return { ...failure, retryable: true };
	}
	return failure;
}

/** A non-2xx answer. */
export function describeHttpFailure(status: number, body: unknown, headers: HeaderBag, context: FailureContext): Failure {
	const error = openAiError(body);
	const facts: Facts = { ...factsFor(context, status), ...error };
	if (!facts.message && typeof body === 'string' && body.trim() !== '' && !looksLikeHtml(body)) facts.message = shorten(body);
	const failure = build(classifyHttp(facts, body), facts, { requestId: requestIdOf(headers), headers });
	return applyShouldRetry(failure, headers);
}

/**
 * A 2xx answer that is not an answer: an error object (classified like the same error
 * with its own status, retried only when its type says so), or a body without the shape
 * the endpoint promises (`malformed`, retried), or no JSON at all (`not_json`, retried).
 */
export function describeUnusableAnswer(status: number, body: unknown, headers: HeaderBag, context: FailureContext): Failure {
	const base = { requestId: requestIdOf(headers), headers };
	if (hasErrorObject(body)) {
		const error = openAiError(body);
		const facts: Facts = { ...factsFor(context, status), ...error, inSuccess: true };
		const meant = statusOfErrorObject(error);
		const kind = meant === undefined ? 'error_answer' : classifyHttp({ ...facts, status: meant }, body);
		const failure = build(kind, { ...facts, status: meant ?? status }, { ...base, status });
		return applyShouldRetry({ ...failure, title: `${failure.title} (sent as an error inside an HTTP ${status} answer)` }, headers);
	}
	const facts = factsFor(context, status);
	if (body === null || typeof body !== 'object') {
		return build('not_json', facts, { ...base, rawBody: body === undefined || body === '' ? '(empty)' : shorten(body) });
	}
	return build('malformed', facts, { ...base, rawBody: shorten(body) });
}

/** Network-level error codes, from the error itself or anything it wraps. */
export function networkCodeOf(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const record = current as Record<string, unknown>;
		if (typeof record.code === 'string' && /^E[A-Z_]+$|^ERR_/.test(record.code)) return record.code;
		current = record.cause ?? record.reason;
	}
	return undefined;
}

function errorText(error: unknown): string {
	const parts: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const record = current as Record<string, unknown>;
		if (typeof record.message === 'string') parts.push(record.message);
		current = record.cause ?? record.reason;
	}
	return parts.join(' | ');
}

/** No HTTP answer: the error the request threw. */
export function describeNetworkFailure(error: unknown, context: FailureContext): Failure {
	const code = networkCodeOf(error);
	const text = errorText(error);
	const facts = factsFor(context);
	const kind: FailureKind =
		code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout of \d+ms exceeded|timed? ?out/i.test(text)
			? 'timeout'
			: code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(text)
				? 'dns'
				: code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /connect .*refused/i.test(text)
					? 'unreachable'
					: 'connection_reset';
	return build(kind, facts);
}

/** The attempt passed its Timeout: abandoned, whatever the server was still sending. */
export function describeDeadline(context: FailureContext): Failure {
	return build('timeout', factsFor(context));
}
