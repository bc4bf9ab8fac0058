/**
 * A model call, built once for every node that makes one (the Chat node, the Chat Model, Batch
 * lines, Get Rate Limits): the settings from a node's Options, checked by one set of rules; the
 * input tokens counted exactly; the output allowance; the spend cap's worst case; the tokens it
 * holds against the pace; and the request body, written by a wire format (wire.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../content';
import type { AnswerShape } from '../http/shapes';
import { checkNumber, fieldError, type ParameterContext } from '../parameters';
import { spendGuard } from '../pricing/guard';
import { DEFAULT_MAX_TOOL_CALLS_UNDER_CAP, tierOf, type PriceOverride, type PriceTier } from '../pricing/prices';
import { countChatTokens, encodingForModel, getEncoding } from '../tokenizer';
import type { CallOptions, CostGuard } from '../transport/client';
import { CHAT_COMPLETIONS } from './chatCompletions';
import type { CallSettings, ModelInput, ModelMessage } from './types';
import type { WireFormat } from './wire';

/** Output tokens a request is assumed to use for pacing when no Max Tokens bounds it. */
export const OUTPUT_ESTIMATE = 256;
/** OpenAI takes at most this many stop sequences. */
export const MAX_STOP_SEQUENCES = 4;

function optionsOf(ctx: ParameterContext, itemIndex: number): IDataObject {
	return (ctx.getNodeParameter('options', itemIndex, {}) ?? {}) as IDataObject;
}

/** The Service Tier option, at item 0 (it also decides the Timeout default). */
export function serviceTierOption(ctx: ParameterContext): string {
	const tier = optionsOf(ctx, 0).serviceTier;
	return typeof tier === 'string' && tier !== '' ? tier : 'auto';
}

/** Stop sequences, from a comma-separated field or a list; more than OpenAI takes is an error naming the field. */
export function checkStop(ctx: ParameterContext, itemIndex: number, stop: string | string[] | undefined, field = 'Stop Sequences'): string[] | undefined {
	if (stop === undefined) return undefined;
	const list = (Array.isArray(stop) ? stop : stop.split(',')).map((s) => s.trim()).filter((s) => s !== '');
	if (list.length > MAX_STOP_SEQUENCES) throw fieldError(ctx, itemIndex, field, `${list.length} given; the API accepts at most ${MAX_STOP_SEQUENCES}`);
	return list.length ? list : undefined;
}

/** The Options collection as call settings, checked: the same for every node that calls a model. */
export function readCallSettings(ctx: ParameterContext, itemIndex: number): CallSettings {
	const opts = optionsOf(ctx, itemIndex);
	const number = (name: string, field: string, rule: { min: number; max?: number; exclusiveMin?: boolean; integer?: boolean }) =>
		checkNumber(ctx, itemIndex, opts[name], { field, ...rule });
	const settings: CallSettings = {
		temperature: number('temperature', 'Temperature', { min: 0, max: 2 }),
		topP: number('topP', 'Top P', { min: 0, max: 1 }),
		maxOutputTokens: number('maxTokens', 'Max Tokens', { min: 0, exclusiveMin: true, integer: true }),
		frequencyPenalty: number('frequencyPenalty', 'Frequency Penalty', { min: -2, max: 2 }),
		presencePenalty: number('presencePenalty', 'Presence Penalty', { min: -2, max: 2 }),
		seed: number('seed', 'Seed', { min: Number.MIN_SAFE_INTEGER, integer: true }),
		serviceTier: typeof opts.serviceTier === 'string' && opts.serviceTier !== '' ? opts.serviceTier : 'auto',
	};
	if (typeof opts.reasoningEffort === 'string' && opts.reasoningEffort !== '') settings.reasoningEffort = opts.reasoningEffort;
	const stop = checkStop(ctx, itemIndex, typeof opts.stop === 'string' ? opts.stop : undefined);
	if (stop) settings.stop = stop;
	for (const key of Object.keys(settings) as Array<keyof CallSettings>) if (settings[key] === undefined) delete settings[key];
	return settings;
}

export interface CallTarget {
	/** The Base URL is OpenAI's. */
	isOpenAi: boolean;
	/** Max Spend per Execution; 0: no cap. */
	capUsd: number;
	overrides: Record<string, PriceOverride>;
	/** The API that carries the call; Chat Completions by default. */
	wire?: WireFormat;
	/** Billed at this tier whatever the settings say (the Batch API). */
	tier?: PriceTier;
}

export interface ModelCall {
	input: ModelInput;
	wire: WireFormat;
	/** The request body on this wire. */
	body: IDataObject;
	/** Everything the request sends, counted exactly: text with OpenAI's framing, tools, images, files. */
	inputTokens: number;
	/** Max Tokens as sent; undefined lets the model decide. */
	maxOutputTokens?: number;
	tier: PriceTier;
	overrides: Record<string, PriceOverride>;
	cost: CostGuard;
	/** What the request holds against tokens per minute: its input and its output allowance. */
	pacingTokens: number;
}

/** What a message sends as text: its text, its tool calls (name and arguments), a tool's result. */
function countable(message: ModelMessage): { role: string; content: string; name?: string } {
	const parts = Array.isArray(message.content) ? message.content : [];
	const text = typeof message.content === 'string' ? message.content : parts.map((part: ContentPart) => (part.type === 'text' ? part.text : '')).join('');
	const calls = (message.toolCalls ?? []).map((call) => `${call.name}${call.arguments}`).join('');
	return { role: message.role, content: `${text}${calls}`, ...(message.name ? { name: message.name } : {}) };
}

/** Builds a call: counts it, prices its worst case, writes its body. */
export async function buildModelCall(ctx: ParameterContext, itemIndex: number, given: ModelInput, target: CallTarget): Promise<ModelCall> {
	const wire = target.wire ?? CHAT_COMPLETIONS;
	const builtin = given.builtinTools ?? [];
	// Under a spend cap, built-in tools always go with a Max Tool Calls, so their fees have a bound.
	const input: ModelInput =
		builtin.length && given.maxToolCalls === undefined && target.capUsd > 0 ? { ...given, maxToolCalls: DEFAULT_MAX_TOOL_CALLS_UNDER_CAP } : given;
	const encoding = await getEncoding(encodingForModel(input.model));
	// Tool definitions count as input; their JSON text is an upper bound for how OpenAI encodes them.
	const toolTokens = input.tools?.length ? encoding.count(JSON.stringify(input.tools)) : 0;
	const inputTokens = countChatTokens(encoding, input.messages.map(countable)) + toolTokens + (input.extraInputTokens ?? 0);
	const maxOutputTokens = input.settings.maxOutputTokens;
	const tier = target.tier ?? tierOf(input.settings.serviceTier);
	const cost = spendGuard(
		ctx,
		itemIndex,
		{
			model: input.model,
			inputTokens,
			maxOutputTokens,
			tier,
			overrides: target.overrides,
			capUsd: target.capUsd,
			...(builtin.length && input.maxToolCalls !== undefined ? { tools: { types: builtin.map((tool) => tool.type), maxCalls: input.maxToolCalls } } : {}),
		},
		wire.billing,
	);
	return {
		input,
		wire,
		body: wire.body(input, { isOpenAi: target.isOpenAi }),
		inputTokens,
		...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
		tier,
		overrides: target.overrides,
		cost,
		pacingTokens: inputTokens + (maxOutputTokens ?? OUTPUT_ESTIMATE),
	};
}

/** What the transport sends for a call; `stream` asks for server-sent events. */
export function sendOptions(call: ModelCall, itemIndex: number, target: { isOpenAi: boolean; stream?: boolean } = { isOpenAi: true }): CallOptions {
	const body = target.stream ? call.wire.body(call.input, { isOpenAi: target.isOpenAi, stream: true }) : call.body;
	return {
		method: 'POST',
		path: call.wire.path,
		body,
		itemIndex,
		model: call.input.model,
		estimatedTokens: call.pacingTokens,
		shape: call.wire.shape as AnswerShape,
		cost: call.cost,
		...(target.stream ? { events: call.wire.stream } : {}),
	};
}
