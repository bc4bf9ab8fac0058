import { authHeaders } from '../../credentials/common';
import { checkApiKey, checkBaseUrl, checkCredential, CredentialCheckError } from '../../nodes/shared/http/credentialChecks';
import { fakeKey } from '../support/setup';

function problemOf(fn: () => unknown) {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	if (caught instanceof CredentialCheckError) return caught.problem;
	throw new Error(`expected a credential problem, got ${String(caught)}`);
}

describe('API key format (local stage, nothing sent)', () => {
	test.each([
		['project', fakeKey('proj')],
		['service account', fakeKey('svcacct')],
		['legacy user', fakeKey('legacy')],
	])('accepts a %s key', (_, key) => {
		expect(checkApiKey(key, 'project', true)).toEqual({ apiKey: key, warnings: [] });
	});

	test('trims whitespace and line breaks around the key', () => {
		const key = fakeKey('proj');
		expect(checkApiKey(`  ${key}\n`, 'project', true).apiKey).toBe(key);
	});

	test.each([
		['', /empty/],
		['   ', /empty/],
		[`Bearer ${fakeKey('proj')}`, /starts with "Bearer "/],
		[`"${fakeKey('proj')}"`, /quotes/],
		[`'${fakeKey('proj')}'`, /quotes/],
		[`${fakeKey('proj').slice(0, 40)} ${fakeKey('proj').slice(40)}`, /spaces or line breaks/],
		['pk-live-1234567890abcdef', /should start with "sk-"/],
		[fakeKey('admin'), /admin key/],
	])('rejects %j', (key, message) => {
		const problem = problemOf(() => checkApiKey(key, 'project', true));
		expect(problem.field).toBe('API Key');
		expect(problem.message).toMatch(message);
	});

	test('a wrong prefix names the accepted formats', () => {
		const problem = problemOf(() => checkApiKey('pk-live-1234567890abcdef', 'project', true));
		expect(problem.description).toMatch(/sk-proj-/);
		expect(problem.description).toMatch(/sk-svcacct-/);
	});

	test('the admin credential needs an sk-admin- key and explains why', () => {
		const problem = problemOf(() => checkApiKey(fakeKey('proj'), 'admin', true));
		expect(problem.message).toMatch(/project or user key/);
		expect(problem.description).toMatch(/admin keys/i);
		expect(checkApiKey(fakeKey('admin'), 'admin', true).apiKey).toBe(fakeKey('admin'));
	});

	test('other servers accept any key without whitespace, but still reject Bearer and quotes', () => {
		expect(checkApiKey('ollama', 'project', false).apiKey).toBe('ollama');
		expect(() => checkApiKey('Bearer abc', 'project', false)).toThrow(CredentialCheckError);
		expect(() => checkApiKey('"abc"', 'project', false)).toThrow(CredentialCheckError);
	});

	test('a truncated key gets a hint, not a rejection', () => {
		const { warnings } = checkApiKey(fakeKey('proj').slice(0, 60), 'project', true);
		expect(warnings.join(' ')).toMatch(/cut off|incomplete/);
	});

	test('error messages never contain the key', () => {
		const key = fakeKey('proj', 'secret');
		for (const bad of [`Bearer ${key}`, `"${key}"`, `${key} x`]) {
			const problem = problemOf(() => checkApiKey(bad, 'project', true));
			expect(JSON.stringify(problem)).not.toContain(key.slice(10, 40));
		}
	});
});

describe('Base URL', () => {
	test('defaults to OpenAI and drops trailing slashes', () => {
		expect(checkBaseUrl('').baseUrl).toBe('https://api.openai.com/v1');
		expect(checkBaseUrl('https://api.openai.com/v1///').baseUrl).toBe('https://api.openai.com/v1');
		expect(checkBaseUrl('http://127.0.0.1:11434/v1').isOpenAi).toBe(false);
	});

	test.each([
		['api.openai.com/v1', /no http/],
		['https://api.openai.com/v1/chat/completions', /chat\/completions/],
		['https://api.openai.com/v1/models', /endpoint/],
	])('rejects %j', (url, message) => {
		const problem = problemOf(() => checkBaseUrl(url));
		expect(problem.field).toBe('Base URL');
		expect(problem.message).toMatch(message);
	});

	test('plain http to a non-loopback host warns that the key travels unencrypted', () => {
		expect(checkBaseUrl('http://llm.example.internal/v1').warnings.join(' ')).toMatch(/unencrypted/);
		expect(checkBaseUrl('http://localhost:8000/v1').warnings).toEqual([]);
		expect(checkBaseUrl('http://127.0.0.1:8000/v1').warnings).toEqual([]);
	});
});

describe('organization and project headers', () => {
	test('are sent only when set', () => {
		expect(authHeaders({ apiKey: ' k ' })).toEqual({ Authorization: 'Bearer k' });
		expect(authHeaders({ apiKey: 'k', organizationId: 'org-1', projectId: 'proj_2' })).toEqual({
			Authorization: 'Bearer k',
			'OpenAI-Organization': 'org-1',
			'OpenAI-Project': 'proj_2',
		});
	});

	test('IDs in the wrong shape are caught on api.openai.com', () => {
		expect(problemOf(() => checkCredential({ apiKey: fakeKey('proj'), organizationId: 'My Company' }, 'project')).field).toBe('Organization ID');
		expect(problemOf(() => checkCredential({ apiKey: fakeKey('proj'), projectId: 'default' }, 'project')).field).toBe('Project ID');
	});
});
