/**
 * Keeps API keys out of everything a user or a log can see.
 * OpenAI echoes a masked key ("sk-proj-****abcd") in 401 messages; that goes too.
 */

const KEY_LIKE = /\b(?:sk|sess|rk)-[A-Za-z0-9_*.-]{3,}/g;
const BEARER = /Bearer\s+[^\s"',]+/gi;

/** A bare prefix such as "sk-proj-" names a key format; it is not a key. */
const KEY_PREFIX_ONLY = /^(?:sk|sess|rk)-(?:proj|svcacct|admin)?-?$/;

export const HIDDEN = '[key hidden]';

export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
	let out = text;
	for (const secret of secrets) {
		if (!secret || secret.length < 4) continue;
		out = out.split(secret).join(HIDDEN);
		const trimmed = secret.trim();
		if (trimmed !== secret && trimmed.length >= 4) out = out.split(trimmed).join(HIDDEN);
	}
	return out.replace(BEARER, `Bearer ${HIDDEN}`).replace(KEY_LIKE, (match) => (KEY_PREFIX_ONLY.test(match) ? match : HIDDEN));
}
