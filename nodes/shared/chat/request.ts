/**
 * Builds one chat completion request from a node's parameters for one item: the same
 * fields and checks for the Chat node and the Batch node. Everything is checked before
 * anything is sent, and the prompt's tokens are counted exactly (for pacing and the cap).
 */
import type { IDataObject } from 'n8n-workflow';

import { needsResponsesApi } from '../models';
import { readPriceOverrides } from '../pricing/overrides';
import { tierOf, type PriceOverride, type PriceTier } from '../pricing/prices';
import { checkNumber, fieldError, jsonParameter, modelParameter, textParameter, type ParameterContext } from '../parameters';
import { countChatTokens, encodingForModel, getEncoding } from '../tokenizer';
import type { ChatAttachments } from './attachments';
import { CHAT_ROLES, readMessages, type ChatMessage, type ContentPart } from './messages';

export interface ChatRequest {
	body: IDataObject;
	model: string;
	/** The answer is JSON, to be parsed into content. */
	jsonOutput: boolean;
	messages: ChatMessage[];
	/** All input tokens, counted exactly: text with OpenAI's framing, plus attachments. */
	promptTokens: number;
	/** Max Tokens as sent; undefined lets the model decide. */
	maxOutputTokens?: number;
	tier: PriceTier;
	overrides: Record<string, PriceOverride>;
	/** A note when some input tokens are estimates (PDF pages, image links). */
	tokenNote?: string;
	/** The attachments sent, with their tokens (no file contents). */
	attachments?: ChatAttachments['files'];
}

export interface BuildOptions {
	/** The Base URL is OpenAI's: Max Tokens goes as max_completion_tokens. */
	isOpenAi: boolean;
	/** Reads the User Message's attachments for the model (see attachments.ts). */
	attachments?: (model: string) => Promise<ChatAttachments | undefined>;
}

/** Tokens a request holds against tokens per minute: the prompt plus its output allowance. */
export function pacingTokens(request: Pick<ChatRequest, 'promptTokens' | 'maxOutputTokens'>): number {
	return request.promptTokens + (request.maxOutputTokens ?? 256);
}

function readOptions(ctx: ParameterContext, itemIndex: number): IDataObject {
	return (ctx.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
}

/** The Service Tier option, at item 0 (it also decides the Timeout default). */
export function serviceTierOption(ctx: ParameterContext): string {
	const tier = readOptions(ctx, 0).serviceTier;
	return typeof tier === 'string' && tier !== '' ? tier : 'auto';
}

function userContent(prompt: string, attachments?: ChatAttachments): string | ContentPart[] {
	if (!attachments || attachments.parts.length === 0) return prompt;
	const parts: ContentPart[] = [];
	if (prompt.trim() !== '') parts.push({ type: 'text', text: prompt });
	parts.push(...attachments.parts);
	return parts;
}

export interface ModelOptions {
	/** Request fields: temperature, top_p, max tokens, penalties, seed, reasoning effort, service tier, stop. */
	body: IDataObject;
	maxOutputTokens?: number;
	tier: PriceTier;
}

/**
 * The Options collection as request fields, checked: the same for the Chat node, the Batch
 * node and the Chat Model.
 */
export function readModelOptions(ctx: ParameterContext, itemIndex: number, target: { isOpenAi: boolean }): ModelOptions {
	const opts = readOptions(ctx, itemIndex);
	const number = (name: string, field: string, rule: { min: number; max?: number; exclusiveMin?: boolean; integer?: boolean }) =>
		checkNumber(ctx, itemIndex, opts[name], { field, ...rule });
	const body: IDataObject = {};
	const temperature = number('temperature', 'Temperature', { min: 0, max: 2 });
	const topP = number('topP', 'Top P', { min: 0, max: 1 });
	const maxTokens = number('maxTokens', 'Max Tokens', { min: 0, exclusiveMin: true, integer: true });
	const frequency = number('frequencyPenalty', 'Frequency Penalty', { min: -2, max: 2 });
	const presence = number('presencePenalty', 'Presence Penalty', { min: -2, max: 2 });
	const seed = number('seed', 'Seed', { min: Number.MIN_SAFE_INTEGER, integer: true });
	if (temperature !== undefined) body.temperature = temperature;
	if (topP !== undefined) body.top_p = topP;
	if (maxTokens !== undefined) body[target.isOpenAi ? 'max_completion_tokens' : 'max_tokens'] = maxTokens;
	if (frequency !== undefined) body.frequency_penalty = frequency;
	if (presence !== undefined) body.presence_penalty = presence;
	if (seed !== undefined) body.seed = seed;
	if (typeof opts.reasoningEffort === 'string' && opts.reasoningEffort !== '') body.reasoning_effort = opts.reasoningEffort;
	const serviceTier = typeof opts.serviceTier === 'string' && opts.serviceTier !== '' ? opts.serviceTier : 'auto';
	if (serviceTier !== 'auto') body.service_tier = serviceTier;
	if (typeof opts.stop === 'string' && opts.stop.trim() !== '') {
		const stop = opts.stop
			.split(',')
			.map((s) => s.trim())
			.filter((s) => s !== '');
		if (stop.length > 4) throw fieldError(ctx, itemIndex, 'Stop Sequences', `${stop.length} given; the API accepts at most 4`);
		body.stop = stop;
	}
	return { body, maxOutputTokens: maxTokens, tier: tierOf(serviceTier) };
}

/** A Responses-only model sent to OpenAI's Chat Completions would be refused after the request: refuse it before. */
export function checkChatCompletionsModel(ctx: ParameterContext, itemIndex: number, model: string, target: { isOpenAi: boolean }): void {
	if (!target.isOpenAi || !needsResponsesApi(model)) return;
	throw fieldError(ctx, itemIndex, 'Model', `"${model}" answers only on OpenAI's Responses API, and this node sends Chat Completions`, {
		description: 'Pick a chat model such as gpt-5, gpt-5-mini, gpt-4.1, gpt-4o or o3. (The -pro, deep-research and codex models answer only on the Responses API.)',
	});
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
	const messages: ChatMessage[] = [];
	if (system.trim() !== '') messages.push({ role: 'system', content: system });
	messages.push(...history);
	if (prompt.trim() !== '' || (attachments && attachments.parts.length > 0)) {
		messages.push({ role: 'user', content: userContent(prompt, attachments) });
	} else if (history.length === 0) {
		throw fieldError(ctx, itemIndex, 'User Message', 'it is empty', {
			description: 'Type a prompt, or check that the expression finds text in this item (it may be missing a field).',
		});
	}

	const modelOptions = readModelOptions(ctx, itemIndex, options);
	const body: IDataObject = { model, messages: messages as unknown as IDataObject[], ...modelOptions.body };
	const maxTokens = modelOptions.maxOutputTokens;

	const format = ctx.getNodeParameter('responseFormat', itemIndex, 'text') as string;
	if (format === 'json_object') body.response_format = { type: 'json_object' };
	if (format === 'json_schema') {
		const schema = jsonParameter(ctx, 'jsonSchema', 'JSON Schema', itemIndex);
		if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
			throw fieldError(ctx, itemIndex, 'JSON Schema', 'must be a JSON object such as {"type": "object", …}');
		}
		const name = String(ctx.getNodeParameter('schemaName', itemIndex, 'answer') || 'answer').trim();
		if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
			throw fieldError(ctx, itemIndex, 'Schema Name', 'use only letters, digits, _ and - (at most 64)');
		}
		body.response_format = {
			type: 'json_schema',
			json_schema: { name, schema: schema as IDataObject, strict: ctx.getNodeParameter('strict', itemIndex, true) as boolean },
		};
	}

	const encoding = await getEncoding(encodingForModel(model));
	const promptTokens = countChatTokens(encoding, messages) + (attachments?.tokens ?? 0);
	return {
		body,
		model,
		jsonOutput: format !== 'text',
		messages,
		promptTokens,
		maxOutputTokens: maxTokens,
		tier: modelOptions.tier,
		overrides: readPriceOverrides(ctx, itemIndex),
		...(attachments?.note ? { tokenNote: attachments.note } : {}),
		...(attachments?.files.length ? { attachments: attachments.files } : {}),
	};
}
