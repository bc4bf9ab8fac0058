/**
 * The Chat Completions wire format (`POST /chat/completions`): the one place that knows its
 * field names (max_completion_tokens for OpenAI, max_tokens for compatible servers;
 * response_format; tool_calls) and its answer's shape (choices[0].message, usage).
 */
import type { IDataObject } from 'n8n-workflow';

import { SHAPES } from '../http/shapes';
import type { ModelAnswer, ModelInput, ModelMessage, StreamDelta, ToolCall } from './types';
import type { WireFormat, WireTarget } from './wire';

function message(m: ModelMessage): IDataObject {
	if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: typeof m.content === 'string' ? m.content : '' };
	const out: IDataObject = { role: m.role, content: m.content as unknown as IDataObject };
	if (m.name) out.name = m.name;
	if (m.toolCalls?.length) {
		out.tool_calls = m.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
	}
	return out;
}

function body(input: ModelInput, target: WireTarget): IDataObject {
	const s = input.settings;
	const out: IDataObject = { model: input.model, messages: input.messages.map(message) };
	if (s.temperature !== undefined) out.temperature = s.temperature;
	if (s.topP !== undefined) out.top_p = s.topP;
	if (s.maxOutputTokens !== undefined) out[target.isOpenAi ? 'max_completion_tokens' : 'max_tokens'] = s.maxOutputTokens;
	if (s.frequencyPenalty !== undefined) out.frequency_penalty = s.frequencyPenalty;
	if (s.presencePenalty !== undefined) out.presence_penalty = s.presencePenalty;
	if (s.seed !== undefined) out.seed = s.seed;
	if (s.reasoningEffort) out.reasoning_effort = s.reasoningEffort;
	if (s.serviceTier !== 'auto') out.service_tier = s.serviceTier;
	if (s.stop?.length) out.stop = s.stop;
	const format = input.format;
	if (format.type === 'json_object') out.response_format = { type: 'json_object' };
	if (format.type === 'json_schema')
		out.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict } };
	if (input.tools?.length) {
		out.tools = input.tools.map((tool) => ({
			type: 'function',
			function: {
				name: tool.name,
				...(tool.description ? { description: tool.description } : {}),
				parameters: tool.parameters,
				...(tool.strict !== undefined ? { strict: tool.strict } : {}),
			},
		}));
	}
	if (target.stream) {
		out.stream = true;
		out.stream_options = { include_usage: true };
	}
	return out;
}

interface Completion {
	id?: string;
	model?: string;
	service_tier?: string;
	system_fingerprint?: string;
	choices?: Array<{
		finish_reason?: string | null;
		message?: { content?: string | null; refusal?: string | null; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> };
	}>;
	usage?: IDataObject;
}

function read(raw: unknown): ModelAnswer {
	const completion = (raw ?? {}) as Completion;
	const choice = completion.choices?.[0];
	const toolCalls: ToolCall[] = (choice?.message?.tool_calls ?? []).map((call, i) => ({
		id: call.id ?? `call_${i}`,
		name: call.function?.name ?? '',
		arguments: call.function?.arguments ?? '{}',
	}));
	return {
		text: choice?.message?.content ?? null,
		toolCalls,
		finishReason: choice?.finish_reason ?? null,
		...(choice?.message?.refusal ? { refusal: choice.message.refusal } : {}),
		...(completion.model ? { model: completion.model } : {}),
		...(completion.service_tier !== undefined ? { serviceTier: completion.service_tier } : {}),
		usage: completion.usage ?? {},
		...(completion.id ? { id: completion.id } : {}),
		...(completion.system_fingerprint ? { systemFingerprint: completion.system_fingerprint } : {}),
	};
}

/** A streamed chunk's choices' deltas. */
function deltas(event: Record<string, unknown>): StreamDelta[] {
	const out: StreamDelta[] = [];
	for (const choice of (event.choices as Array<Record<string, unknown>> | undefined) ?? []) {
		const delta = (choice.delta ?? {}) as { content?: unknown; refusal?: unknown; tool_calls?: Array<Record<string, unknown>> };
		if (typeof delta.content === 'string' && delta.content !== '') out.push({ type: 'text', delta: delta.content });
		for (const call of delta.tool_calls ?? []) {
			const fn = (call.function ?? {}) as { name?: string; arguments?: string };
			out.push({
				type: 'tool',
				index: Number(call.index ?? 0),
				...(typeof call.id === 'string' ? { id: call.id } : {}),
				...(fn.name ? { name: fn.name } : {}),
				argumentsDelta: fn.arguments ?? '',
			});
		}
		if (typeof choice.finish_reason === 'string') out.push({ type: 'finish', reason: choice.finish_reason });
	}
	return out;
}

export const CHAT_COMPLETIONS: WireFormat = {
	label: 'Chat Completions',
	path: '/chat/completions',
	batchUrl: '/v1/chat/completions',
	shape: SHAPES.chatCompletion,
	body,
	read,
	billing: (raw) => ({ model: raw.model as string | undefined, serviceTier: raw.service_tier as string | undefined, usage: raw.usage }),
	stream: {
		// A chunk with text, a tool call or a refusal begins the answer: after it, no retry.
		startsAnswer: (event) =>
			Array.isArray(event.choices) &&
			event.choices.some((choice) => {
				const delta = (choice as { delta?: { content?: unknown; tool_calls?: unknown; refusal?: unknown } }).delta;
				return !!delta && ((typeof delta.content === 'string' && delta.content !== '') || Array.isArray(delta.tool_calls) || typeof delta.refusal === 'string');
			}),
		carriesUsage: (event) => !!event.usage && typeof event.usage === 'object',
	},
	deltas,
};
