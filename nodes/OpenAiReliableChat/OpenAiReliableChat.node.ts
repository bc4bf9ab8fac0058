import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { OpenAiReliableChatV1 } from './v1/OpenAiReliableChatV1';

/**
 * The Chat node, versioned: a change to its output shape or behaviour becomes a new version
 * beside v1, so workflows built on v1 keep what they were built on. Version 2 chooses the
 * OpenAI API itself (API: Auto); version 1 keeps Chat Completions unless told otherwise.
 */
export class OpenAiReliableChat extends VersionedNodeType implements IVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'OpenAI Reliable Chat',
			name: 'openAiReliableChat',
			icon: { light: 'file:openAiReliableChat.svg', dark: 'file:openAiReliableChat.dark.svg' },
			group: ['transform'],
			description: 'Chat with OpenAI models (Chat Completions or Responses) with built-in retry, rate-limit pacing, a spend cap, and the cost of every answer',
			defaultVersion: 2,
		};
		// Version 2: API defaults to Auto (Responses when the model or a built-in tool needs it).
		super({ 1: new OpenAiReliableChatV1(baseDescription, 1), 2: new OpenAiReliableChatV1(baseDescription, 2) }, baseDescription);
	}
}
