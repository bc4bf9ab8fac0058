import type { ICredentialDataDecryptedObject, ICredentialsDecrypted } from 'n8n-workflow';

import { testAdminCredential, testApiCredential } from '../../nodes/shared/methods/credentialTest';
import { createCredentialTestContext } from '../support/n8nContext';
import { ADMIN_KEY, fakeKey, PROJECT_KEY, startServer, type MockServer } from '../support/setup';

let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function credential(data: Record<string, unknown>): ICredentialsDecrypted {
	return { id: '1', name: 'test', type: 'openAiReliableApi', data: data as ICredentialDataDecryptedObject };
}

async function test_(fn: typeof testApiCredential, data: Record<string, unknown>) {
	const { ctx, calls } = createCredentialTestContext();
	const result = await fn.call(ctx, credential(data));
	const keys = [data.apiKey].filter((k): k is string => typeof k === 'string' && k.length > 12);
	for (const key of keys) expect(result.message).not.toContain(key.trim().slice(-12));
	return { result, calls };
}

describe('API credential test', () => {
	test('a working key: GET /models, with the model count', async () => {
		const { result } = await test_(testApiCredential, { apiKey: PROJECT_KEY, baseUrl: server.url });
		expect(result).toEqual({ status: 'OK', message: expect.stringMatching(/^Connection successful\. The key can use 12 models\./) });
		expect(server.requests.map((r) => r.path)).toEqual(['/models']);
	});

	test('a wrong key: says so and how to make a new one', async () => {
		const { result } = await test_(testApiCredential, { apiKey: fakeKey('proj', 'revoked'), baseUrl: server.url });
		expect(result.status).toBe('Error');
		// The plain sentence and the advice first, the server's words and the codes last.
		expect(result.message).toMatch(
			/^The server at [^ ]+ rejected the API key\. Check the API Key in the credential.* The server said: "Incorrect API key provided: .*" \[HTTP 401, code invalid_api_key, request id req_\w+\]$/,
		);
	});

	test.each([
		['Bearer prefix', `Bearer ${PROJECT_KEY}`, /starts with "Bearer "/],
		['quotes', `"${PROJECT_KEY}"`, /quotes/],
		['empty', '   ', /empty/],
	])('%s is caught locally, nothing is sent', async (_, apiKey, message) => {
		const { result, calls } = await test_(testApiCredential, { apiKey, baseUrl: server.url });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(message);
		expect(result.message).toMatch(/nothing was sent/);
		expect(calls).toEqual([]);
	});

	test('a wrong prefix on api.openai.com names the accepted formats, nothing is sent', async () => {
		const { result, calls } = await test_(testApiCredential, { apiKey: 'pk-1234567890' });
		expect(result.message).toMatch(/sk-proj-/);
		expect(calls).toEqual([]);
	});

	test('a restricted key says it is valid but lacks Models: Read', async () => {
		server.script({
			match: () => true,
			respond: {
				status: 401,
				body: {
					error: {
						message: 'You have insufficient permissions for this operation. Missing scopes: api.model.read.',
						type: 'invalid_request_error',
						param: null,
						code: null,
					},
				},
			},
		});
		const { result } = await test_(testApiCredential, { apiKey: PROJECT_KEY, baseUrl: server.url });
		expect(result.message).toMatch(/valid but lacks a permission/);
		expect(result.message).toMatch(/Models: Read/);
		expect(result.message).not.toMatch(/revoked/);
	});

	test.each([
		[401, 'mismatched_organization', 'OpenAI-Organization header should match organization for API key', /organization in the credential/],
		[401, 'mismatched_project', 'OpenAI-Project header should match project for API key', /project in the credential/],
		[403, 'unsupported_country_region_territory', 'Country, region, or territory not supported', /country or region/],
	])('%d %s', async (status, code, message, expected) => {
		server.script({ match: () => true, respond: { status, body: { error: { message, type: 'invalid_request_error', param: null, code } } } });
		const { result } = await test_(testApiCredential, { apiKey: PROJECT_KEY, baseUrl: server.url });
		expect(result.message).toMatch(expected);
	});

	test('an unreachable server', async () => {
		const { result } = await test_(testApiCredential, { apiKey: PROJECT_KEY, baseUrl: 'http://127.0.0.1:9/v1' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Could not connect to 127\.0\.0\.1:9/);
	});

	test('plain http to another host warns that the key would travel unencrypted', async () => {
		const { result } = await test_(testApiCredential, { apiKey: PROJECT_KEY, baseUrl: 'http://llm.invalid/v1' });
		expect(result.message).toMatch(/unencrypted/);
	});
});

describe('admin credential test', () => {
	test('an admin key reads a cost report', async () => {
		const { result } = await test_(testAdminCredential, { apiKey: ADMIN_KEY, baseUrl: server.url });
		expect(result.status).toBe('OK');
		expect(server.requests[0].path).toBe('/organization/costs');
	});

	test('a project key is told the difference between admin and project keys', async () => {
		const { result } = await test_(testAdminCredential, { apiKey: PROJECT_KEY, baseUrl: server.url });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/need an organization admin key/);
		expect(result.message).toMatch(/Project keys .* admin keys/);
	});

	test('on api.openai.com the sk-admin- format is required before sending', async () => {
		const { result, calls } = await test_(testAdminCredential, { apiKey: PROJECT_KEY });
		expect(result.message).toMatch(/project or user key/);
		expect(calls).toEqual([]);
	});
});
