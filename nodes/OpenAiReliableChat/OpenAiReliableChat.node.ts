import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { OpenAiReliableChatV1 } from './v1/OpenAiReliableChatV1';

/**
 * The Chat node, versioned: a change to its output shape becomes a new version beside v1,
 * so workflows built on v1 keep the output they were built on.
 */
export class OpenAiReliableChat extends VersionedNodeType implements IVersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'OpenAI Reliable Chat',
			name: 'openAiReliableChat',
			icon: { light: 'file:openAiReliableChat.svg', dark: 'file:openAiReliableChat.dark.svg' },
			group: ['transform'],
			description: 'Chat completions with built-in retry, rate-limit pacing, a spend cap, and the cost of every answer',
			defaultVersion: 1,
		};
		super({ 1: new OpenAiReliableChatV1(baseDescription) }, baseDescription);
	}
}
