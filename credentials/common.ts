/**
 * What both credentials share: the default API root, the headers every request carries,
 * and the Base URL field. Self-contained: the nodes import from here, never the reverse.
 */
import type { IAuthenticate, ICredentialDataDecryptedObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

/** Bearer key plus the optional organization and project headers. */
export function authHeaders(fields: ICredentialDataDecryptedObject | Record<string, unknown>): Record<string, string> {
	const headers: Record<string, string> = { Authorization: `Bearer ${text(fields.apiKey)}` };
	const organization = text(fields.organizationId);
	const project = text(fields.projectId);
	if (organization) headers['OpenAI-Organization'] = organization;
	if (project) headers['OpenAI-Project'] = project;
	return headers;
}

export const authenticateWithKey: IAuthenticate = async (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> => ({
	...requestOptions,
	headers: { ...(requestOptions.headers ?? {}), ...authHeaders(credentials) },
});

export function baseUrlProperty(hint: string): INodeProperties {
	return {
		displayName: 'Base URL',
		name: 'baseUrl',
		type: 'string',
		default: DEFAULT_BASE_URL,
		placeholder: DEFAULT_BASE_URL,
		hint,
		description: 'The API root that every request goes to. The nodes add the endpoint (/chat/completions…) themselves.',
	};
}
