/**
 * Images and documents on the User Message. (Reading them from binary data and URLs, and
 * their token counts, come with the attachments feature.)
 */
import type { ContentPart } from './content';

export interface ChatAttachments {
	parts: ContentPart[];
	/** Input tokens of all parts. */
	tokens: number;
	/** Set when some of the tokens are estimates. */
	note?: string;
}
