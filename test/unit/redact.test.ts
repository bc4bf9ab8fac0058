import { redactSecrets } from '../../nodes/shared/http/redact';
import { fakeKey } from '../support/setup';

test("removes the key, OpenAI's masked echo of it, and bearer tokens", () => {
	const key = fakeKey('proj', 'redact');
	const text = `Incorrect API key provided: sk-proj-********${key.slice(-4)}. Header: Bearer ${key}. Raw: ${key}`;
	const out = redactSecrets(text, [key]);
	expect(out).not.toContain(key);
	expect(out).not.toContain(key.slice(-4));
	expect(out).toContain('[key hidden]');
});

test('keeps format names such as "sk-proj-…"', () => {
	expect(redactSecrets('Accepted: "sk-proj-…", "sk-svcacct-…", "sk-admin-…" or "sk-…"')).toBe('Accepted: "sk-proj-…", "sk-svcacct-…", "sk-admin-…" or "sk-…"');
});
