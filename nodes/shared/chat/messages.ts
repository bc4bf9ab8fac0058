/**
 * Chat messages as users write them in a JSON field: the one reader, used by the Chat
 * node's Conversation History, Count Tokens and the Batch node.
 */
import { fieldError, type ParameterContext } from '../parameters';
import type { ChatMessage } from '../content';

export { textOf, type ChatMessage, type ContentPart } from '../content';

/** The roles a chat request may carry from a user's JSON. */
export const CHAT_ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant']);

export interface ReadMessagesOptions {
	/** The field's name as the user sees it. */
	field: string;
	/** Allowed roles; any text role when absent. */
	roles?: ReadonlySet<string>;
	offline?: boolean;
}

/**
 * Checks a messages value: an array of `{role, content}` with text content (and an optional
 * name). Empty (undefined, null, "") gives no messages.
 */
export function readMessages(ctx: ParameterContext, itemIndex: number, value: unknown, options: ReadMessagesOptions): ChatMessage[] {
	const { field, roles, offline } = options;
	if (value === undefined || value === null || value === '') return [];
	if (!Array.isArray(value)) {
		throw fieldError(ctx, itemIndex, field, 'must be an array of messages', {
			description: 'Use [{"role": "user", "content": "…"}, …].',
			offline,
		});
	}
	return value.map((entry, position) => {
		const message = entry as { role?: unknown; content?: unknown; name?: unknown } | null;
		const role = message && typeof message === 'object' ? message.role : undefined;
		if (typeof role !== 'string' || (roles && !roles.has(role))) {
			throw fieldError(ctx, itemIndex, field, `message ${position + 1} has ${typeof role === 'string' ? `the unknown role "${role}"` : 'no role'}`, {
				description: roles ? `Each message needs "role" set to ${[...roles].join(', ')}.` : 'Each message needs a "role".',
				offline,
			});
		}
		if (typeof message!.content !== 'string') {
			throw fieldError(ctx, itemIndex, field, `message ${position + 1} has no text "content"`, { offline });
		}
		return { role, content: message!.content, ...(typeof message!.name === 'string' ? { name: message!.name } : {}) };
	});
}
