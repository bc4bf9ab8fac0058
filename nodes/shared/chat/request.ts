/**
 * The Chat node's request for one item, from its parameters: the same fields and checks for
 * the Chat node and the Batch node. It reads what the user wrote (messages, attachments, the
 * output format) and hands it to the one model-call builder (model/call.ts), which counts,
 * prices and writes it. Everything is checked before anything is sent.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../content';
import { buildModelCall, readCallSettings, type ModelCall } from '../model/call';
import type { ModelMessage, OutputFormat } from '../model/types';
import { needsResponsesApi } from '../models';
import { fieldError, jsonParameter, modelParameter, textParameter, type ParameterContext } from '../parameters';
import { readPriceOverrides } from '../pricing/overrides';
import type { PriceTier } from '../pricing/prices';
import type { ChatAttachments } from './attachments';
import { CHAT_ROLES, readMessages } from './messages';

export interface ChatRequest {
	call: ModelCall;
	model: string;
	/** The answer is JSON, to be parsed into content. */
	jsonOutput: boolean;
	/** A note when some input tokens are estimates (PDF pages, image links). */
	tokenNote?: string;
	/** The attachments sent, with their tokens (no file contents). */
	attachments?: ChatAttachments['files'];
}

export interface BuildOptions {
	/** The Base URL is OpenAI's. */
	isOpenAi: boolean;
	/** Max Spend per Execution; 0: no cap. */
	capUsd: number;
	/** Billed at this tier whatever the options say (the Batch API). */
	tier?: PriceTier;
	/** Reads the User Message's attachments for the model (see attachments.ts). */
	attachments?: (model: string) => Promise<ChatAttachments | undefined>;
}

function userContent(prompt: string, attachments?: ChatAttachments): string | ContentPart[] {
	if (!attachments || attachments.parts.length === 0) return prompt;
	const parts: ContentPart[] = [];
	if (prompt.trim() !== '') parts.push({ type: 'text', text: prompt });
	parts.push(...attachments.parts);
	return parts;
}

/** A Responses-only model sent to OpenAI's Chat Completions would be refused after the request: refuse it before. */
export function checkChatCompletionsModel(ctx: ParameterContext, itemIndex: number, model: string, target: { isOpenAi: boolean }): void {
	if (!target.isOpenAi || !needsResponsesApi(model)) return;
	throw fieldError(ctx, itemIndex, 'Model', `"${model}" answers only on OpenAI's Responses API, and this node sends Chat Completions`, {
		description:
			'Pick a chat model such as gpt-5, gpt-5-mini, gpt-4.1, gpt-4o or o3. (The -pro, deep-research and codex models answer only on the Responses API.)',
	});
}

/** Response Format, JSON Schema, Schema Name and Strict, checked. */
export function readOutputFormat(ctx: ParameterContext, itemIndex: number): OutputFormat {
	const format = ctx.getNodeParameter('responseFormat', itemIndex, 'text') as string;
	if (format === 'json_object') return { type: 'json_object' };
	if (format !== 'json_schema') return { type: 'text' };
	const schema = jsonParameter(ctx, 'jsonSchema', 'JSON Schema', itemIndex);
	if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
		throw fieldError(ctx, itemIndex, 'JSON Schema', 'must be a JSON object such as {"type": "object", …}');
	}
	const name = String(ctx.getNodeParameter('schemaName', itemIndex, 'answer') || 'answer').trim();
	if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
		throw fieldError(ctx, itemIndex, 'Schema Name', 'use only letters, digits, _ and - (at most 64)');
	}
	return { type: 'json_schema', name, schema: schema as IDataObject, strict: ctx.getNodeParameter('strict', itemIndex, true) as boolean };
}

export async function buildChatRequest(ctx: ParameterContext, itemIndex: number, options: BuildOptions): Promise<ChatRequest> {
	const model = modelParameter(ctx, itemIndex);
	checkChatCompletionsModel(ctx, itemIndex, model, options);
	const system = textParameter(ctx, 'systemMessage', 'System Message', itemIndex);
	const prompt = textParameter(ctx, 'prompt', 'User Message', itemIndex);
	const history = readMessages(ctx, itemIndex, jsonParameter(ctx, 'history', 'Conversation History (JSON)', itemIndex), {
		field: 'Conversation History (JSON)',
		roles: CHAT_ROLES,
	});
	const attachments = options.attachments ? await options.attachments(model) : undefined;
	const messages: ModelMessage[] = [];
	if (system.trim() !== '') messages.push({ role: 'system', content: system });
	messages.push(...(history as ModelMessage[]));
	if (prompt.trim() !== '' || (attachments && attachments.parts.length > 0)) {
		messages.push({ role: 'user', content: userContent(prompt, attachments) });
	} else if (history.length === 0) {
		throw fieldError(ctx, itemIndex, 'User Message', 'it is empty', {
			description: 'Type a prompt, or check that the expression finds text in this item (it may be missing a field).',
		});
	}
	const format = readOutputFormat(ctx, itemIndex);
	const call = await buildModelCall(
		ctx,
		itemIndex,
		{ model, messages, settings: readCallSettings(ctx, itemIndex), format, extraInputTokens: attachments?.tokens ?? 0 },
		{ isOpenAi: options.isOpenAi, capUsd: options.capUsd, overrides: readPriceOverrides(ctx, itemIndex), ...(options.tier ? { tier: options.tier } : {}) },
	);
	return {
		call,
		model,
		jsonOutput: format.type !== 'text',
		...(attachments?.note ? { tokenNote: attachments.note } : {}),
		...(attachments?.files.length ? { attachments: attachments.files } : {}),
	};
}
