/**
 * The Chat node's request for one item, from its parameters: the same fields and checks for
 * the Chat node and the Batch node. It reads what the user wrote (messages, attachments, the
 * output format) and hands it to the one model-call builder (model/call.ts), which counts,
 * prices and writes it. Everything is checked before anything is sent.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../content';
import { buildModelCall, readCallSettings, type ModelCall } from '../model/call';
import { CHAT_COMPLETIONS } from '../model/chatCompletions';
import { RESPONSES } from '../model/responses';
import type { BuiltinTool, CallSettings, ModelInput, ModelMessage, OutputFormat } from '../model/types';
import type { WireFormat } from '../model/wire';
import { needsResponsesApi, normaliseModel } from '../models';
import { checkNumber, fieldError, jsonParameter, modelParameter, textParameter, type ParameterContext } from '../parameters';
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
	/** Send once in background mode and poll for the answer (Responses API). */
	background: boolean;
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

/** Built-in Tools, checked: the tools on, and Max Tool Calls when set. */
export function readBuiltinTools(ctx: ParameterContext, itemIndex: number): { tools: BuiltinTool[]; maxToolCalls?: number } {
	const raw = (ctx.getNodeParameter('builtinTools', itemIndex, {}) ?? {}) as IDataObject;
	const list = (value: unknown) =>
		(typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.map(String) : []).map((v) => v.trim()).filter((v) => v !== '');
	const tools: BuiltinTool[] = [];
	if (raw.webSearch === true) {
		const location = {
			...(typeof raw.userCountry === 'string' && raw.userCountry.trim() ? { country: raw.userCountry.trim().toUpperCase() } : {}),
			...(typeof raw.userCity === 'string' && raw.userCity.trim() ? { city: raw.userCity.trim() } : {}),
		};
		if (location.country && !/^[A-Z]{2}$/.test(location.country)) {
			throw fieldError(ctx, itemIndex, 'Web Search User Country', `"${location.country}" is not a two-letter country code such as DE or US`);
		}
		const domains = list(raw.allowedDomains);
		tools.push({
			type: 'web_search',
			...(typeof raw.searchContextSize === 'string' ? { contextSize: raw.searchContextSize as 'low' | 'medium' | 'high' } : {}),
			...(domains.length ? { allowedDomains: domains } : {}),
			...(Object.keys(location).length ? { location } : {}),
		});
	}
	const stores = list(raw.vectorStoreIds);
	if (stores.length) {
		const maxResults = checkNumber(ctx, itemIndex, raw.fileSearchMaxResults, { field: 'File Search Max Results', min: 1, max: 50, integer: true });
		tools.push({ type: 'file_search', vectorStoreIds: stores, ...(maxResults ? { maxResults } : {}) });
	}
	if (raw.codeInterpreter === true) tools.push({ type: 'code_interpreter' });
	const maxToolCalls = checkNumber(ctx, itemIndex, raw.maxToolCalls, { field: 'Max Tool Calls', min: 1, max: 100, integer: true });
	return { tools, ...(maxToolCalls !== undefined ? { maxToolCalls } : {}) };
}

/** Options the Responses API does not take: set on a call that goes there, each is an error naming it. */
const NOT_ON_RESPONSES: Array<[keyof CallSettings, string]> = [
	['stop', 'Stop Sequences'],
	['frequencyPenalty', 'Frequency Penalty'],
	['presencePenalty', 'Presence Penalty'],
	['seed', 'Seed'],
];

/**
 * The API of a call (the API parameter; Auto: Responses when the model answers only there, a
 * built-in tool is on or a Previous Response ID is given), checked against what it cannot carry.
 */
export function chooseWire(
	ctx: ParameterContext,
	itemIndex: number,
	call: { model: string; settings: CallSettings; builtin: BuiltinTool[]; previousResponseId?: string },
	target: { isOpenAi: boolean },
): WireFormat {
	const api = ctx.getNodeParameter('api', itemIndex, 'chatCompletions') as string;
	const wantsResponses = call.builtin.length > 0 || !!call.previousResponseId;
	if (api === 'chatCompletions') {
		checkChatCompletionsModel(ctx, itemIndex, call.model, target);
		if (call.builtin.length) {
			throw fieldError(
				ctx,
				itemIndex,
				'Built-in Tools',
				`${call.builtin.map((t) => t.type).join(', ')} run only on the Responses API, and API is set to Chat Completions`,
				{
					description: 'Set API to Auto or Responses, or remove the tools.',
				},
			);
		}
		if (call.previousResponseId) throw fieldError(ctx, itemIndex, 'Previous Response ID', 'it works only on the Responses API; set API to Auto or Responses');
		return CHAT_COMPLETIONS;
	}
	// A Responses-only model's name says where it answers, whatever the Base URL (a proxy passes it on).
	const responses = api === 'responses' || wantsResponses || needsResponsesApi(call.model);
	if (!responses) return CHAT_COMPLETIONS;
	for (const [key, field] of NOT_ON_RESPONSES) {
		if (call.settings[key] === undefined) continue;
		const why =
			api === 'responses'
				? 'API is set to Responses'
				: `this call goes to the Responses API (${wantsResponses ? 'a built-in tool or a Previous Response ID' : `"${call.model}" answers only there`})`;
		throw fieldError(ctx, itemIndex, field, `the Responses API has no such option, and ${why}`, { description: `Remove ${field} from the Options.` });
	}
	return RESPONSES;
}

/** Models whose answers take minutes: background mode is their default. */
const LONG_ANSWERS = /(^|-)pro(-|$)|deep-research/;

/**
 * Store and Background Mode, from the Options. Store goes only to the Responses API
 * (undefined: OpenAI's default). Background Mode: as set, else on for the -pro and
 * deep-research models on the Responses API; it needs the Responses API and a stored response
 * (OpenAI keeps it to be polled).
 */
export function readStorage(
	ctx: ParameterContext,
	itemIndex: number,
	call: { model: string; wire: WireFormat; options: { store?: unknown; background?: unknown } },
): { store?: boolean; background: boolean } {
	const responses = call.wire === RESPONSES;
	const store = responses && typeof call.options.store === 'boolean' ? call.options.store : undefined;
	const storage = store !== undefined ? { store } : {};
	const option = call.options.background;
	if (typeof option !== 'boolean') return { ...storage, background: responses && store !== false && LONG_ANSWERS.test(normaliseModel(call.model)) };
	if (!option) return { ...storage, background: false };
	if (!responses) throw fieldError(ctx, itemIndex, 'Background Mode', 'it works only on the Responses API; set API to Auto or Responses');
	if (store === false) {
		throw fieldError(ctx, itemIndex, 'Background Mode', 'OpenAI must store a background response to hand it out when it is done, and Store is off', {
			description: 'Turn Store on, or Background Mode off.',
		});
	}
	return { ...storage, background: true };
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
	const settings = readCallSettings(ctx, itemIndex);
	const opts = (ctx.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
	const previousResponseId = typeof opts.previousResponseId === 'string' && opts.previousResponseId.trim() !== '' ? opts.previousResponseId.trim() : undefined;
	const builtin = readBuiltinTools(ctx, itemIndex);
	const wire = chooseWire(ctx, itemIndex, { model, settings, builtin: builtin.tools, ...(previousResponseId ? { previousResponseId } : {}) }, options);
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
	} else if (history.length === 0 && !previousResponseId) {
		throw fieldError(ctx, itemIndex, 'User Message', 'it is empty', {
			description: 'Type a prompt, or check that the expression finds text in this item (it may be missing a field).',
		});
	}
	const format = readOutputFormat(ctx, itemIndex);
	const input: ModelInput = { model, messages, settings, format, extraInputTokens: attachments?.tokens ?? 0 };
	if (wire === RESPONSES) {
		if (builtin.tools.length) input.builtinTools = builtin.tools;
		if (builtin.maxToolCalls !== undefined) input.maxToolCalls = builtin.maxToolCalls;
		if (previousResponseId) input.previousResponseId = previousResponseId;
		if (typeof opts.reasoningSummary === 'string' && opts.reasoningSummary !== '') input.reasoningSummary = opts.reasoningSummary;
	}
	const { store, background } = readStorage(ctx, itemIndex, { model, wire, options: opts });
	if (store !== undefined) input.store = store;
	const call = await buildModelCall(ctx, itemIndex, input, {
		isOpenAi: options.isOpenAi,
		capUsd: options.capUsd,
		overrides: readPriceOverrides(ctx, itemIndex),
		wire,
		...(options.tier ? { tier: options.tier } : {}),
	});
	return {
		call,
		model,
		jsonOutput: format.type !== 'text',
		background,
		...(attachments?.note ? { tokenNote: attachments.note } : {}),
		...(attachments?.files.length ? { attachments: attachments.files } : {}),
	};
}
