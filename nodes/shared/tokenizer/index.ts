/**
 * Exact token counts for OpenAI's encodings, with no runtime dependency:
 * the rank tables ship as data modules in the build (see scripts/build-encodings.js)
 * and load on first use.
 */
import { baseModelOf } from '../models';
import { textOf, type ChatMessage } from '../content';
import { BpeEncoding } from './bpe';

export type EncodingName = 'o200k_base' | 'cl100k_base';

const loaded: Partial<Record<EncodingName, Promise<BpeEncoding>>> = {};

export async function getEncoding(name: EncodingName): Promise<BpeEncoding> {
	loaded[name] ??= (name === 'o200k_base' ? import('./encodings/o200k_base') : import('./encodings/cl100k_base')).then(
		(module) => new BpeEncoding((module as { default?: unknown }).default ? (module as never as { default: never }).default : (module as never)),
	);
	return await loaded[name]!;
}

/** The encoding a model uses. Current models (GPT-4o and later, o-series) use o200k_base. */
export function encodingForModel(model: string): EncodingName {
	const id = baseModelOf(model);
	if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o\d)/.test(id)) return 'o200k_base';
	if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(id)) return 'cl100k_base';
	return 'o200k_base';
}

/**
 * Prompt tokens of a chat request's text as OpenAI bills them: every message costs its
 * content and role plus 3 framing tokens (one more with a name), and the reply
 * is primed with 3 more. Images and files are counted apart (see the attachments module).
 */
export function countChatTokens(encoding: BpeEncoding, messages: ChatMessage[]): number {
	let total = 3;
	for (const message of messages) {
		total += 3 + encoding.count(message.role) + encoding.count(textOf(message.content));
		if (message.name) total += 1 + encoding.count(message.name);
	}
	return total;
}
