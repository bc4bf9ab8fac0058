/**
 * Local checks of a credential before anything is sent: the key's shape and the Base URL.
 * Used by the credential test and by the transport, so the two never disagree.
 */
import { DEFAULT_BASE_URL } from '../../../credentials/common';
import { ADMIN_KEYS_PAGE, API_KEYS_PAGE } from '../links';

export type KeyKind = 'project' | 'admin';

export interface CredentialFields {
	apiKey?: unknown;
	organizationId?: unknown;
	projectId?: unknown;
	baseUrl?: unknown;
}

export interface CheckedCredential {
	apiKey: string;
	organizationId?: string;
	projectId?: string;
	baseUrl: string;
	isOpenAi: boolean;
	/** Hints that do not block a request but help explain a later 401. */
	keyWarnings: string[];
	/** Hints about the connection itself, e.g. a key sent over plain http. */
	connectionWarnings: string[];
}

export interface CredentialProblem {
	field: 'API Key' | 'Organization ID' | 'Project ID' | 'Base URL';
	message: string;
	description: string;
}

export class CredentialCheckError extends Error {
	constructor(readonly problem: CredentialProblem) {
		super(problem.message);
		this.name = 'CredentialCheckError';
	}
}

const OPENAI_MARKER = 'T3BlbkFJ';
const TYPICAL_LENGTH: Record<string, number> = {
	'sk-proj-': 164,
	'sk-svcacct-': 167,
	'sk-admin-': 133,
};
const PROJECT_FORMATS = '"sk-proj-…" (project key), "sk-svcacct-…" (service account key) or a legacy "sk-…" user key';
const ADMIN_FORMAT = '"sk-admin-…" (organization admin key)';

function text(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function problem(field: CredentialProblem['field'], message: string, description: string): never {
	throw new CredentialCheckError({ field, message, description });
}

export function isLoopbackHost(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host === '::1' || host.startsWith('127.') || host.endsWith('.localhost');
}

/** Trims, drops trailing slashes and rejects what cannot be an API root. */
export function checkBaseUrl(raw: unknown): { baseUrl: string; isOpenAi: boolean; warnings: string[] } {
	const value = text(raw).trim().replace(/\/+$/, '');
	const baseUrl = value === '' ? DEFAULT_BASE_URL : value;
	if (!/^https?:\/\//i.test(baseUrl)) {
		problem(
			'Base URL',
			`The Base URL "${baseUrl}" has no http:// or https:// at the start`,
			`Enter the full address of the API root, for example ${DEFAULT_BASE_URL}.`,
		);
	}
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		problem('Base URL', `The Base URL "${baseUrl}" is not a valid web address`, `Use the API root, for example ${DEFAULT_BASE_URL}.`);
	}
	const endpoint = /\/(chat\/completions|completions|responses|models|embeddings)$/i.exec(url.pathname);
	if (endpoint) {
		const root = baseUrl.slice(0, baseUrl.length - endpoint[0].length);
		problem(
			'Base URL',
			`The Base URL ends with "/${endpoint[1]}", which is an endpoint, not the API root`,
			`Remove "/${endpoint[1]}" so it reads ${root}. The nodes add the endpoint themselves.`,
		);
	}
	const isOpenAi = url.hostname.toLowerCase() === 'api.openai.com';
	const warnings: string[] = [];
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		warnings.push(
			`The Base URL uses plain http:// to ${url.hostname}, so the API key travels unencrypted. Use https:// unless this server is on a network you trust.`,
		);
	}
	return { baseUrl, isOpenAi, warnings };
}

/**
 * Checks the key's shape. Whitespace around the key is trimmed silently; everything
 * else that would certainly fail is reported with the formats that are accepted.
 * The prefix rules apply only to api.openai.com: compatible servers use their own keys.
 */
export function checkApiKey(raw: unknown, kind: KeyKind, isOpenAi: boolean): { apiKey: string; warnings: string[] } {
	const apiKey = text(raw).trim();
	const formats = kind === 'admin' ? ADMIN_FORMAT : PROJECT_FORMATS;
	const where = kind === 'admin' ? ADMIN_KEYS_PAGE : API_KEYS_PAGE;
	if (apiKey === '') {
		problem('API Key', 'The API Key field is empty', `Paste a secret key from ${where}. Accepted formats: ${formats}.`);
	}
	if (/^bearer\s/i.test(apiKey)) {
		problem('API Key', 'The API Key starts with "Bearer "', 'Paste only the key itself, without "Bearer " in front; the node adds that part.');
	}
	if (/^["'`]|["'`]$/.test(apiKey)) {
		problem('API Key', 'The API Key is wrapped in quotes', 'Remove the quotation marks around the key.');
	}
	if (/\s/.test(apiKey)) {
		problem(
			'API Key',
			'The API Key contains spaces or line breaks',
			'A key is one unbroken string. Copy it again from the OpenAI dashboard with the copy button.',
		);
	}
	const warnings: string[] = [];
	if (!isOpenAi) return { apiKey, warnings };

	if (kind === 'project' && apiKey.startsWith('sk-admin-')) {
		problem(
			'API Key',
			'This is an organization admin key ("sk-admin-…"), which cannot call models',
			`Admin keys only read usage and costs; use them in the "OpenAI Reliable Usage and Costs Admin API" credential. For chat, create a project key at ${API_KEYS_PAGE}. Accepted formats: ${PROJECT_FORMATS}.`,
		);
	}
	if (kind === 'admin' && !apiKey.startsWith('sk-admin-')) {
		problem(
			'API Key',
			apiKey.startsWith('sk-')
				? 'This is a project or user key, but usage and cost reports need an organization admin key'
				: 'The API Key does not look like an OpenAI admin key',
			`The Usage and Costs APIs accept only admin keys, which an organization owner creates at ${ADMIN_KEYS_PAGE}. Project keys ("sk-proj-…") call models; admin keys ("sk-admin-…") read organization data. Accepted format: ${ADMIN_FORMAT}.`,
		);
	}
	if (!apiKey.startsWith('sk-')) {
		problem(
			'API Key',
			'The API Key does not look like an OpenAI key: it should start with "sk-"',
			`Accepted formats: ${formats}. Create one at ${where}. For an OpenAI-compatible server, change the Base URL first.`,
		);
	}
	const prefix = Object.keys(TYPICAL_LENGTH).find((p) => apiKey.startsWith(p));
	if (prefix && !apiKey.includes(OPENAI_MARKER)) {
		warnings.push('The key lacks the part every current OpenAI key contains; it may be incomplete.');
	}
	if (prefix && apiKey.length < TYPICAL_LENGTH[prefix] - 20) {
		warnings.push(
			`The key is ${apiKey.length} characters long; ${prefix}… keys are usually about ${TYPICAL_LENGTH[prefix]}. It may have been cut off when pasted.`,
		);
	}
	return { apiKey, warnings };
}

function checkOptionalId(raw: unknown, field: 'Organization ID' | 'Project ID', isOpenAi: boolean): string | undefined {
	const value = text(raw).trim();
	if (value === '') return undefined;
	if (/\s/.test(value)) {
		problem(field, `The ${field} contains spaces`, `Copy the ID again; it is one unbroken string.`);
	}
	const expected = field === 'Organization ID' ? 'org-' : 'proj_';
	if (isOpenAi && !value.startsWith(expected)) {
		const where = field === 'Organization ID' ? 'Settings → Organization → General' : 'Settings → Projects (the ID, not the name)';
		problem(
			field,
			`The ${field} "${value}" should start with "${expected}"`,
			`Find it in the OpenAI dashboard under ${where}, or leave the field empty to use the key's default.`,
		);
	}
	return value;
}

export function checkCredential(fields: CredentialFields, kind: KeyKind): CheckedCredential {
	const { baseUrl, isOpenAi, warnings } = checkBaseUrl(fields.baseUrl);
	const { apiKey, warnings: keyWarnings } = checkApiKey(fields.apiKey, kind, isOpenAi);
	return {
		apiKey,
		baseUrl,
		isOpenAi,
		organizationId: checkOptionalId(fields.organizationId, 'Organization ID', isOpenAi),
		projectId: checkOptionalId(fields.projectId, 'Project ID', isOpenAi),
		keyWarnings,
		connectionWarnings: warnings,
	};
}
