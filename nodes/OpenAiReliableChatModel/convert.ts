/**
 * Between n8n's AI SDK and a neutral model call (shared/model): messages and tools going out,
 * answers and streamed pieces coming back. Pure functions; the SDK is used for types only.
 */
import type { FinishReason, GenerateResult, Message, MessageContent, TokenUsage, Tool } from '@n8n/ai-node-sdk';

import type { ContentPart } from '../shared/content';
import type { FunctionTool, ModelAnswer, ModelMessage } from '../shared/model/types';
import { tokensFromUsage } from '../shared/pricing/prices';

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

/** The SDK's messages as neutral ones; one tool message per tool result. */
export function toModelMessages(messages: Message[]): ModelMessage[] {
	const out: ModelMessage[] = [];
	for (const message of messages) {
		if (message.role === 'tool') {
			for (const block of message.content) {
				if (block.type === 'tool-result') out.push({ role: 'tool', toolCallId: block.toolCallId, content: resultText(block.result) });
			}
			continue;
		}
		if (message.role === 'assistant') {
			const calls = message.content.filter((block): block is Extract<MessageContent, { type: 'tool-call' }> => block.type === 'tool-call');
			const text = textOf(message.content);
			out.push({
				role: 'assistant',
				content: text === '' && calls.length ? null : text,
				...(calls.length ? { toolCalls: calls.map((call, i) => ({ id: call.toolCallId ?? `call_${i}`, name: call.toolName, arguments: call.input })) } : {}),
			});
			continue;
		}
		const files = message.content.filter((block): block is Extract<MessageContent, { type: 'file' }> => block.type === 'file');
		const content: string | ContentPart[] = files.length
			? [...(textOf(message.content) ? [{ type: 'text' as const, text: textOf(message.content) }] : []), ...files.map(filePart)]
			: textOf(message.content);
		out.push({ role: message.role === 'system' ? 'system' : 'user', content, ...(message.name ? { name: message.name } : {}) });
	}
	return out;
}

/** The Agent's tools as function tools; `schemaOf` turns a tool's input schema into JSON Schema. */
export function toFunctionTools(tools: Tool[], schemaOf: (tool: Extract<Tool, { type: 'function' }>) => unknown): FunctionTool[] {
	return tools
		.filter((tool): tool is Extract<Tool, { type: 'function' }> => tool.type === 'function')
		.map((tool) => ({
			name: tool.name,
			...(tool.description ? { description: tool.description } : {}),
			parameters: (schemaOf(tool) ?? { type: 'object', properties: {} }) as FunctionTool['parameters'],
			...(tool.strict !== undefined ? { strict: tool.strict } : {}),
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

/** An answer's usage (any wire format's names) as the SDK's token usage. */
export function usageOf(usage: unknown): TokenUsage | undefined {
	const tokens = tokensFromUsage(usage);
	if (!tokens) return undefined;
	const u = (usage ?? {}) as Record<string, unknown>;
	return {
		promptTokens: tokens.inputTokens,
		completionTokens: tokens.outputTokens,
		totalTokens: Number(u.total_tokens ?? tokens.inputTokens + tokens.outputTokens),
		...(tokens.cachedInputTokens ? { inputTokenDetails: { cacheRead: tokens.cachedInputTokens } } : {}),
		...(tokens.reasoningTokens ? { outputTokenDetails: { reasoning: tokens.reasoningTokens } } : {}),
	};
}

/** An answer as the SDK's GenerateResult: text and tool calls, finish reason, usage. */
export function fromAnswer(answer: ModelAnswer, providerMetadata: Record<string, unknown>): GenerateResult {
	const content: MessageContent[] = [];
	const text = answer.text ?? answer.refusal ?? '';
	if (text) content.push({ type: 'text', text });
	for (const call of answer.toolCalls) content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.arguments || '{}' });
	const usage = usageOf(answer.usage);
	return {
		...(answer.id ? { id: answer.id } : {}),
		finishReason: finishReasonOf(answer.finishReason),
		...(usage ? { usage } : {}),
		message: { role: 'assistant', content, ...(answer.id ? { id: answer.id } : {}) },
		providerMetadata,
	};
}
