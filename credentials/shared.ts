import type { IAuthenticate, ICredentialDataDecryptedObject, IHttpRequestOptions, INodeProperties } from 'n8n-workflow';

import { authHeaders, DEFAULT_BASE_URL } from '../nodes/shared/transport/credentialChecks';

/** Bearer key plus the optional organization and project headers, for both credentials. */
export const authenticateWithKey: IAuthenticate = async (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> => ({
	...requestOptions,
	headers: { ...(requestOptions.headers ?? {}), ...authHeaders(credentials) },
});

export function baseUrlProperty(description: string): INodeProperties {
	return { displayName: 'Base URL', name: 'baseUrl', type: 'string', default: DEFAULT_BASE_URL, description };
}
