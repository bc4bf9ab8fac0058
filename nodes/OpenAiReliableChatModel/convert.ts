/**
 * Between n8n's AI SDK and OpenAI's chat completions: messages and tools going out,
 * answers (and streamed deltas) coming back. Pure functions; the SDK is used for types only.
 */
import type { FinishReason, GenerateResult, Message, MessageContent, TokenUsage, Tool } from '@n8n/ai-node-sdk';
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../shared/chat/content';

type OpenAiMessage = IDataObject;

function base64Of(data: string | Uint8Array): string {
	if (typeof data === 'string') return data;
	let binary = '';
	for (let i = 0; i < data.length; i += 8192) binary += String.fromCharCode(...data.subarray(i, i + 8192));
	return btoa(binary);
}

/** An image or PDF an Agent passes along, as an OpenAI content part; other files become a note. */
function filePart(block: Extract<MessageContent, { type: 'file' }>): ContentPart {
	const url = typeof block.providerMetadata?.url === 'string' ? block.providerMetadata.url : undefined;
	const mediaType = block.mediaType ?? 'application/octet-stream';
	if (mediaType.startsWith('image/')) {
		return { type: 'image_url', image_url: { url: url ?? `data:${mediaType};base64,${base64Of(block.data)}` } };
	}
	if (mediaType === 'application/pdf' && !url) {
		return { type: 'file', file: { filename: 'document.pdf', file_data: `data:application/pdf;base64,${base64Of(block.data)}` } };
	}
	return { type: 'text', text: `[A file of type ${mediaType} was attached; this model call can read images and PDFs only.]` };
}

function textOf(content: MessageContent[]): string {
	return content
		.filter((block): block is Extract<MessageContent, { type: 'text' }> => block.type === 'text')
		.map((block) => block.text)
		.join('');
}

function resultText(result: unknown): string {
	return typeof result === 'string' ? result : JSON.stringify(result ?? null);
}

/** The SDK's messages as OpenAI chat messages; one tool message per tool result. */
export function toOpenAiMessages(messages: Message[]): OpenAiMessage[] {
	const out: OpenAiMessage[] = [];
	for (const message of messages) {
		if (message.role === 'tool') {
			for (const block of message.content) {
				if (block.type === 'tool-result') out.push({ role: 'tool', tool_call_id: block.toolCallId, content: resultText(block.result) });
			}
			continue;
		}
		if (message.role === 'assistant') {
			const calls = message.content.filter((block): block is Extract<MessageContent, { type: 'tool-call' }> => block.type === 'tool-call');
			const text = textOf(message.content);
			const assistant: OpenAiMessage = { role: 'assistant', content: text === '' && calls.length ? null : text };
			if (calls.length) {
				assistant.tool_calls = calls.map((call, i) => ({
					id: call.toolCallId ?? `call_${i}`,
					type: 'function',
					function: { name: call.toolName, arguments: call.input },
				}));
			}
			out.push(assistant);
			continue;
		}
		const files = message.content.filter((block): block is Extract<MessageContent, { type: 'file' }> => block.type === 'file');
		const content: string | ContentPart[] = files.length
			? [...(textOf(message.content) ? [{ type: 'text' as const, text: textOf(message.content) }] : []), ...files.map(filePart)]
			: textOf(message.content);
		out.push({ role: message.role === 'system' ? 'system' : 'user', content: content as unknown as IDataObject, ...(message.name ? { name: message.name } : {}) });
	}
	return out;
}

/** The Agent's tools as OpenAI function tools; `schemaOf` turns a tool's input schema into JSON Schema. */
export function toOpenAiTools(tools: Tool[], schemaOf: (tool: Extract<Tool, { type: 'function' }>) => unknown): IDataObject[] {
	return tools
		.filter((tool): tool is Extract<Tool, { type: 'function' }> => tool.type === 'function')
		.map((tool) => ({
			type: 'function',
			function: {
				name: tool.name,
				...(tool.description ? { description: tool.description } : {}),
				parameters: (schemaOf(tool) ?? { type: 'object', properties: {} }) as IDataObject,
				...(tool.strict !== undefined ? { strict: tool.strict } : {}),
			},
		}));
}

export function finishReasonOf(reason: unknown): FinishReason {
	switch (reason) {
		case 'stop':
			return 'stop';
		case 'length':
			return 'length';
		case 'tool_calls':
		case 'function_call':
			return 'tool-calls';
		case 'content_filter':
			return 'content-filter';
		default:
			return 'other';
	}
}

export function usageOf(usage: unknown): TokenUsage | undefined {
	if (!usage || typeof usage !== 'object') return undefined;
	const u = usage as Record<string, unknown>;
	const prompt = Number(u.prompt_tokens ?? 0);
	const completion = Number(u.completion_tokens ?? 0);
	const cached = Number((u.prompt_tokens_details as Record<string, unknown> | undefined)?.cached_tokens ?? 0);
	const reasoning = Number((u.completion_tokens_details as Record<string, unknown> | undefined)?.reasoning_tokens ?? 0);
	return {
		promptTokens: prompt,
		completionTokens: completion,
		totalTokens: Number(u.total_tokens ?? prompt + completion),
		...(cached ? { inputTokenDetails: { cacheRead: cached } } : {}),
		...(reasoning ? { outputTokenDetails: { reasoning } } : {}),
	};
}

interface Completion {
	id?: string;
	model?: string;
	choices?: Array<{
		finish_reason?: string;
		message?: { content?: string | null; refusal?: string | null; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> };
	}>;
	usage?: unknown;
}

/** A chat completion as the SDK's GenerateResult: text and tool calls, finish reason, usage. */
export function fromCompletion(completion: Completion, providerMetadata: Record<string, unknown>): GenerateResult {
	const choice = completion.choices?.[0];
	const content: MessageContent[] = [];
	const text = choice?.message?.content ?? choice?.message?.refusal ?? '';
	if (text) content.push({ type: 'text', text });
	for (const call of choice?.message?.tool_calls ?? []) {
		content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function?.name ?? '', input: call.function?.arguments ?? '{}' });
	}
	const usage = usageOf(completion.usage);
	return {
		...(completion.id ? { id: completion.id } : {}),
		finishReason: finishReasonOf(choice?.finish_reason),
		...(usage ? { usage } : {}),
		message: { role: 'assistant', content, ...(completion.id ? { id: completion.id } : {}) },
		providerMetadata,
	};
}
