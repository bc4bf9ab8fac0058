/** The shape of chat messages and their parts, with no dependency: the tokenizer uses it too. */

/** One part of a message with attachments. */
export type ContentPart =
	| { type: 'text'; text: string }
	| { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }
	| { type: 'file'; file: { filename: string; file_data: string } };

export interface ChatMessage {
	role: string;
	content: string | ContentPart[];
	name?: string;
}

/** The text of a message's content, for counting and matching. */
export function textOf(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
