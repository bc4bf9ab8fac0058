/**
 * Turns one failed attempt (an HTTP answer or a network error) into a decision
 * (retry or not) and a message a non-coder can act on. Pure functions, no I/O.
 */
import { API_KEYS_PAGE, ADMIN_KEYS_PAGE } from './credentialChecks';
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
	| 'context_length'
	| 'bad_request'
	| 'timeout'
	| 'conflict'
	| 'server'
	| 'html'
	| 'bad_response'
	| 'connection_reset'
	| 'unreachable'
	| 'dns';

export interface Failure {
	kind: FailureKind;
	retryable: boolean;
	/** When set, every later request of this execution would fail the same way. */
	affectsAllItems: boolean;
	status?: number;
	code?: string;
	type?: string;
	requestId?: string;
	/** OpenAI's (or the server's) own words, secrets removed later. */
	upstreamMessage?: string;
	headers?: HeaderBag;
	title: string;
	advice: string;
}

export interface FailureContext {
	path: string;
	baseUrl: string;
	model?: string;
	adminEndpoint?: boolean;
	timeoutMs: number;
}

interface OpenAiErrorBody {
	message?: string;
	type?: string;
	code?: string | number | null;
	param?: string | null;
}

const BILLING_PAGE = 'https://platform.openai.com/settings/organization/billing';
const LIMITS_PAGE = 'https://platform.openai.com/settings/organization/limits';
const STATUS_PAGE = 'https://status.openai.com';

const QUOTA_CODES = new Set([
	'insufficient_quota',
	'billing_hard_limit_reached',
	'credit_balance_exhausted',
	'organization_spend_limit_exceeded',
	'project_spend_limit_exceeded',
	'organization_usage_limit_exceeded',
]);

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
			code: typeof error.code === 'string' || typeof error.code === 'number' ? error.code : null,
			param: typeof error.param === 'string' ? error.param : null,
		};
	}
	if (typeof inner === 'string') return { message: inner };
	for (const key of ['message', 'detail']) {
		if (typeof record[key] === 'string') return { message: record[key] as string };
	}
	return {};
}

export function looksLikeHtml(body: unknown): boolean {
	return typeof body === 'string' && /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(body);
}

function shorten(value: string, max = 300): string {
	const flat = value.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function seconds(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

export function describeHttpFailure(
	status: number,
	body: unknown,
	headers: HeaderBag,
	context: FailureContext,
): Failure {
	const error = openAiError(body);
	const code = error.code === null || error.code === undefined ? undefined : String(error.code);
	const message = error.message ?? '';
	const base = {
		status,
		code,
		type: error.type,
		requestId: requestIdOf(headers),
		upstreamMessage: message || (typeof body === 'string' && !looksLikeHtml(body) ? shorten(body) : undefined),
		headers,
	};
	const make = (
		kind: FailureKind,
		retryable: boolean,
		title: string,
		advice: string,
		affectsAllItems = false,
	): Failure => ({ ...base, kind, retryable, affectsAllItems, title, advice });

	// The server's explicit instruction wins, as in OpenAI's own SDKs.
	const shouldRetryHeader = headerValue(headers, 'x-should-retry');

	if (looksLikeHtml(body) && status >= 500) {
		return make(
			'html',
			true,
			`The server answered with a web page instead of JSON (HTTP ${status})`,
			`A proxy, gateway or firewall between n8n and ${context.baseUrl} answered instead of the API. It was retried; if it persists, check the Base URL and any proxy.`,
		);
	}

	if (status === 429) {
		if (error.type === 'insufficient_quota' || (code && QUOTA_CODES.has(code))) {
			return make(
				'quota',
				false,
				'Your OpenAI account has no credit left or has reached its spending limit',
				`Add a payment method or credits at ${BILLING_PAGE}, or raise the usage limit at ${LIMITS_PAGE}. Retrying cannot help, so this was not retried.`,
				true,
			);
		}
		if (/^request too large/i.test(message)) {
			return make(
				'request_too_large',
				false,
				'This request alone is larger than your tokens-per-minute limit',
				`Shorten the input or lower Max Tokens, or ask OpenAI for a higher limit at ${LIMITS_PAGE}. Waiting does not help, so this was not retried.`,
			);
		}
		return make(
			'rate_limit',
			shouldRetryHeader !== 'false',
			'OpenAI rate limit exceeded',
			`Too many requests or tokens per minute for this key. Lower Concurrency, set a Requests per Minute cap, or raise Max Retries or Max Wait. Your limits: ${LIMITS_PAGE}.`,
		);
	}

	if (status === 401 || (status === 403 && context.adminEndpoint)) {
		if (code === 'mismatched_organization' || code === 'invalid_organization' || /OpenAI-Organization/i.test(message)) {
			return make(
				'wrong_organization',
				false,
				'The API key does not belong to the organization in the credential',
				'Clear the Organization ID field in the credential, or enter the ID of the organization this key belongs to (Settings → Organization → General).',
				true,
			);
		}
		if (code === 'mismatched_project' || /OpenAI-Project/i.test(message)) {
			return make(
				'wrong_project',
				false,
				'The API key does not belong to the project in the credential',
				'Clear the Project ID field in the credential, or enter the ID of the project this key was created in.',
				true,
			);
		}
		if (context.adminEndpoint && code !== 'invalid_api_key') {
			return make(
				'admin_key_required',
				false,
				'Usage and cost reports need an organization admin key',
				`The key was accepted but has no access to organization reports. Project keys ("sk-proj-…") call models; admin keys ("sk-admin-…") read usage and costs, and only an organization owner can create them at ${ADMIN_KEYS_PAGE}.`,
				true,
			);
		}
		if (/insufficient permissions|missing scopes/i.test(message)) {
			return make(
				'missing_permission',
				false,
				'The API key is valid but lacks a permission this operation needs',
				`Edit the key at ${API_KEYS_PAGE}: give it "All" permissions, or the one named above (for example Models: Read to list models, Model capabilities: Write to chat).`,
				true,
			);
		}
		return make(
			'invalid_key',
			false,
			'OpenAI rejected the API key: it is wrong, incomplete or revoked',
			`Create a new secret key at ${context.adminEndpoint ? ADMIN_KEYS_PAGE : API_KEYS_PAGE} and paste it into the credential's API Key field.`,
			true,
		);
	}

	if (status === 403) {
		if (code === 'unsupported_country_region_territory' || /country|region|territory/i.test(message)) {
			return make(
				'region',
				false,
				'OpenAI does not serve the country or region this request comes from',
				'OpenAI decides by the location of the n8n server, not yours. Run n8n in a supported region (https://platform.openai.com/docs/supported-countries).',
				true,
			);
		}
		return make(
			'forbidden',
			false,
			'OpenAI refused access to this operation (HTTP 403)',
			'The key, its project or its organization is not allowed to do this. Check the project\'s model and endpoint permissions in the OpenAI dashboard.',
		);
	}

	if (status === 404) {
		if (code === 'model_not_found' || /model .* does not exist/i.test(message)) {
			const name = context.model ? `"${context.model}"` : 'requested';
			return make(
				'model_not_found',
				false,
				`The ${name} model does not exist or this key cannot use it`,
				'Pick a model from the list (it shows only models this key can use), check the spelling of the ID, or allow the model in the project\'s settings.',
			);
		}
		return make(
			'not_found',
			false,
			`Nothing was found at ${context.baseUrl}${context.path} (HTTP 404)`,
			`Check the Base URL in the credential: for OpenAI it is https://api.openai.com/v1, and compatible servers usually end in /v1 too.`,
		);
	}

	if (status === 400 || status === 413 || status === 422) {
		if (code === 'context_length_exceeded' || /maximum context length|context length|context window/i.test(message)) {
			return make(
				'context_length',
				false,
				'The input is longer than the model\'s context window',
				'Shorten the prompt or the conversation history, lower Max Tokens, or choose a model with a larger context window.',
			);
		}
		const param = error.param ? ` (parameter "${error.param}")` : '';
		return make(
			'bad_request',
			false,
			`OpenAI rejected the request as invalid${param}`,
			'Check the node\'s options against what this model supports; the reason is quoted above.',
		);
	}

	if (status === 408) {
		return make('timeout', shouldRetryHeader !== 'false', 'The server timed out waiting for the request (HTTP 408)', 'Retried automatically; if it persists the service is overloaded.');
	}
	if (status === 409) {
		return make('conflict', shouldRetryHeader !== 'false', 'The server reported a conflict (HTTP 409)', 'This is usually temporary and was retried automatically.');
	}
	if (status >= 500) {
		return make(
			'server',
			shouldRetryHeader !== 'false',
			`OpenAI's service is having problems (HTTP ${status})`,
			`This is on the server's side, not in your workflow. Try again later (status: ${STATUS_PAGE}), or raise Max Retries and Max Wait to ride out longer outages.`,
		);
	}
	if (status >= 200 && status < 300) {
		return make(
			'bad_response',
			true,
			'The server\'s answer was not the JSON the API returns',
			`Something between n8n and ${context.baseUrl} changed or cut the answer. It was retried; if it persists, check the Base URL and any proxy.`,
		);
	}
	return make(
		shouldRetryHeader === 'true' ? 'server' : 'bad_request',
		shouldRetryHeader === 'true',
		`The server answered with HTTP ${status}`,
		'See the reason above; check the Base URL and the node\'s options.',
	);
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

export function describeNetworkFailure(error: unknown, context: FailureContext): Failure {
	const code = networkCodeOf(error);
	const text = errorText(error);
	let host = context.baseUrl;
	try {
		host = new URL(context.baseUrl).host;
	} catch {
		// keep the raw value
	}
	const make = (kind: FailureKind, retryable: boolean, title: string, advice: string): Failure => ({
		kind,
		retryable,
		affectsAllItems: false,
		title,
		advice,
	});
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout of \d+ms exceeded|timed? ?out/i.test(text)) {
		return make(
			'timeout',
			true,
			`No answer from the server within the timeout of ${seconds(context.timeoutMs)}`,
			'Long answers take time: raise Timeout in the node\'s Request Settings, or lower Max Tokens.',
		);
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(text)) {
		return make(
			'dns',
			true,
			`The server name "${host}" could not be found`,
			'Check the Base URL in the credential for typos, and that the n8n server can reach the internet (DNS).',
		);
	}
	if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || /connect .*refused/i.test(text)) {
		return make(
			'unreachable',
			true,
			`Could not connect to ${host}: nothing answered there`,
			'Check the Base URL in the credential (host and port), and that the server is running and reachable from the n8n server.',
		);
	}
	return make(
		'connection_reset',
		true,
		'The connection closed before the answer arrived',
		'This is usually a passing network problem and was retried automatically. If it persists, check proxies or firewalls between n8n and the API.',
	);
}
