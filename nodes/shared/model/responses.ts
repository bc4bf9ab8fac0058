/**
 * The Responses wire format (`POST /responses`): the one place that knows its field names
 * (input items, instructions, max_output_tokens, text.format, reasoning, built-in tools,
 * max_tool_calls, previous_response_id, store) and its answer's shape (output items: messages
 * with citations, function calls, built-in tool calls, reasoning summaries; status; usage).
 * Follows OpenAI's spec (CreateResponse, Response and the ResponseStreamEvent types).
 */
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../content';
import type { AnswerShape } from '../http/shapes';
import type { BuiltinTool, BuiltinToolType, Citation, ModelAnswer, ModelInput, ModelMessage, StreamDelta, ToolCall } from './types';
import type { WireFormat, WireTarget } from './wire';

function part(p: ContentPart): IDataObject {
	if (p.type === 'text') return { type: 'input_text', text: p.text };
	if (p.type === 'image_url') return { type: 'input_image', image_url: p.image_url.url, detail: p.image_url.detail ?? 'auto' };
	return { type: 'input_file', filename: p.file.filename, file_data: p.file.file_data };
}

/** Conversation turns as input items; system turns go to `instructions`. */
function inputItems(messages: ModelMessage[]): IDataObject[] {
	const items: IDataObject[] = [];
	for (const m of messages) {
		if (m.role === 'system') continue;
		if (m.role === 'tool') {
			items.push({ type: 'function_call_output', call_id: m.toolCallId ?? '', output: typeof m.content === 'string' ? m.content : '' });
			continue;
		}
		if (m.content !== null && !(typeof m.content === 'string' && m.content === '' && m.toolCalls?.length)) {
			const content = typeof m.content === 'string' ? m.content : m.content.map(part);
			items.push({ role: m.role, content: content as unknown as IDataObject });
		}
		for (const call of m.toolCalls ?? []) items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: call.arguments });
	}
	return items;
}

function builtin(tool: BuiltinTool): IDataObject {
	if (tool.type === 'web_search') {
		const out: IDataObject = { type: 'web_search' };
		if (tool.contextSize) out.search_context_size = tool.contextSize;
		if (tool.allowedDomains?.length) out.filters = { allowed_domains: tool.allowedDomains };
		if (tool.location && Object.keys(tool.location).length) out.user_location = { type: 'approximate', ...tool.location };
		return out;
	}
	if (tool.type === 'file_search') {
		return { type: 'file_search', vector_store_ids: tool.vectorStoreIds, ...(tool.maxResults ? { max_num_results: tool.maxResults } : {}) };
	}
	return { type: 'code_interpreter', container: { type: 'auto' } };
}

function body(input: ModelInput, target: WireTarget): IDataObject {
	const s = input.settings;
	const instructions = input.messages
		.filter((m) => m.role === 'system')
		.map((m) => (typeof m.content === 'string' ? m.content : ''))
		.filter((text) => text.trim() !== '')
		.join('\n\n');
	const out: IDataObject = { model: input.model, input: inputItems(input.messages) };
	if (instructions) out.instructions = instructions;
	if (s.temperature !== undefined) out.temperature = s.temperature;
	if (s.topP !== undefined) out.top_p = s.topP;
	if (s.maxOutputTokens !== undefined) out.max_output_tokens = s.maxOutputTokens;
	if (s.reasoningEffort || input.reasoningSummary) {
		out.reasoning = { ...(s.reasoningEffort ? { effort: s.reasoningEffort } : {}), ...(input.reasoningSummary ? { summary: input.reasoningSummary } : {}) };
	}
	if (s.serviceTier !== 'auto') out.service_tier = s.serviceTier;
	const format = input.format;
	if (format.type === 'json_object') out.text = { format: { type: 'json_object' } };
	if (format.type === 'json_schema') out.text = { format: { type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict } };
	const tools: IDataObject[] = (input.tools ?? []).map((tool) => ({
		type: 'function',
		name: tool.name,
		...(tool.description ? { description: tool.description } : {}),
		parameters: tool.parameters,
		strict: tool.strict ?? false,
	}));
	tools.push(...(input.builtinTools ?? []).map(builtin));
	if (tools.length) out.tools = tools;
	if (input.maxToolCalls !== undefined && input.builtinTools?.length) out.max_tool_calls = input.maxToolCalls;
	if (input.previousResponseId) out.previous_response_id = input.previousResponseId;
	if (input.store !== undefined) out.store = input.store;
	if (target.stream) out.stream = true;
	return out;
}

interface OutputItem {
	type?: string;
	id?: string;
	call_id?: string;
	name?: string;
	arguments?: string;
	container_id?: string;
	content?: Array<{ type?: string; text?: string; refusal?: string; annotations?: Array<Record<string, unknown>> }>;
	summary?: Array<{ type?: string; text?: string }>;
	results?: Array<{ file_id?: string; filename?: string }> | null;
}

interface ResponseBody {
	id?: string;
	model?: string;
	status?: string;
	service_tier?: string;
	output?: OutputItem[];
	usage?: IDataObject;
	incomplete_details?: { reason?: string } | null;
	error?: { code?: string; message?: string } | null;
}

const BUILTIN_CALLS: Record<string, BuiltinToolType> = {
	web_search_call: 'web_search',
	file_search_call: 'file_search',
	code_interpreter_call: 'code_interpreter',
};

/** Built-in tool calls by tool; a code interpreter is billed per container, so its calls count by container. */
export function toolUseOf(output: OutputItem[] | undefined): Partial<Record<BuiltinToolType, number>> {
	const use: Partial<Record<BuiltinToolType, number>> = {};
	const containers = new Set<string>();
	for (const item of output ?? []) {
		const tool = item.type ? BUILTIN_CALLS[item.type] : undefined;
		if (!tool) continue;
		if (tool === 'code_interpreter') {
			const key = item.container_id ?? item.id ?? `container_${containers.size}`;
			if (containers.has(key)) continue;
			containers.add(key);
		}
		use[tool] = (use[tool] ?? 0) + 1;
	}
	return use;
}

function citationsOf(output: OutputItem[] | undefined): Citation[] {
	const seen = new Set<string>();
	const out: Citation[] = [];
	const add = (citation: Citation, key: string) => {
		if (seen.has(key)) return;
		seen.add(key);
		out.push(citation);
	};
	for (const item of output ?? []) {
		if (item.type === 'message') {
			for (const content of item.content ?? []) {
				for (const a of content.annotations ?? []) {
					if (a.type === 'url_citation' && typeof a.url === 'string')
						add({ type: 'url', url: a.url, ...(typeof a.title === 'string' ? { title: a.title } : {}) }, `url:${a.url}`);
					if (a.type === 'file_citation' && typeof a.file_id === 'string') {
						add({ type: 'file', fileId: a.file_id, ...(typeof a.filename === 'string' ? { filename: a.filename } : {}) }, `file:${a.file_id}`);
					}
				}
			}
		}
		if (item.type === 'file_search_call') {
			for (const result of item.results ?? []) {
				if (typeof result.file_id === 'string')
					add({ type: 'file', fileId: result.file_id, ...(result.filename ? { filename: result.filename } : {}) }, `file:${result.file_id}`);
			}
		}
	}
	return out;
}

function read(raw: unknown): ModelAnswer {
	const response = (raw ?? {}) as ResponseBody;
	const output = response.output ?? [];
	const texts: string[] = [];
	let refusal: string | undefined;
	const toolCalls: ToolCall[] = [];
	const summaries: string[] = [];
	for (const item of output) {
		if (item.type === 'message') {
			for (const content of item.content ?? []) {
				if (content.type === 'output_text' && typeof content.text === 'string') texts.push(content.text);
				if (content.type === 'refusal' && typeof content.refusal === 'string') refusal = content.refusal;
			}
		}
		if (item.type === 'function_call') {
			toolCalls.push({ id: item.call_id ?? item.id ?? `call_${toolCalls.length}`, name: item.name ?? '', arguments: item.arguments ?? '{}' });
		}
		if (item.type === 'reasoning') for (const s of item.summary ?? []) if (typeof s.text === 'string' && s.text !== '') summaries.push(s.text);
	}
	const reason = response.incomplete_details?.reason;
	const finishReason =
		response.status === 'incomplete'
			? reason === 'max_output_tokens'
				? 'length'
				: (reason ?? 'incomplete')
			: response.status === 'failed'
				? 'failed'
				: toolCalls.length
					? 'tool_calls'
					: response.status === 'completed'
						? 'stop'
						: (response.status ?? null);
	const toolUse = toolUseOf(output);
	const citations = citationsOf(output);
	return {
		text: texts.length ? texts.join('') : null,
		toolCalls,
		finishReason,
		...(refusal ? { refusal } : {}),
		...(response.model ? { model: response.model } : {}),
		...(response.service_tier !== undefined ? { serviceTier: response.service_tier } : {}),
		usage: response.usage ?? {},
		...(response.id ? { id: response.id } : {}),
		...(Object.keys(toolUse).length ? { toolUse } : {}),
		...(citations.length ? { citations } : {}),
		...(summaries.length ? { reasoningSummary: summaries.join('\n\n') } : {}),
		...(response.status ? { status: response.status } : {}),
		...(reason ? { incompleteReason: reason } : {}),
		...(response.error
			? { error: { ...(response.error.code ? { code: response.error.code } : {}), ...(response.error.message ? { message: response.error.message } : {}) } }
			: {}),
	};
}

/** The pieces of a streamed answer one event carries (response.output_text.delta, function-call argument deltas, the end). */
function deltas(event: Record<string, unknown>): StreamDelta[] {
	const type = event.type;
	const index = Number(event.output_index ?? 0);
	if (type === 'response.output_text.delta' && typeof event.delta === 'string' && event.delta !== '') return [{ type: 'text', delta: event.delta }];
	if (type === 'response.output_item.added') {
		const item = (event.item ?? {}) as OutputItem;
		if (item.type === 'function_call')
			return [{ type: 'tool', index, ...(item.call_id ? { id: item.call_id } : {}), ...(item.name ? { name: item.name } : {}), argumentsDelta: '' }];
	}
	if (type === 'response.function_call_arguments.delta' && typeof event.delta === 'string') return [{ type: 'tool', index, argumentsDelta: event.delta }];
	if (type === 'response.completed' || type === 'response.incomplete') {
		const answer = read(event.response);
		return answer.finishReason ? [{ type: 'finish', reason: answer.finishReason }] : [];
	}
	return [];
}

/** A Response object: an id, and an output list or a status. */
const responseShape: AnswerShape = (b) => typeof b.id === 'string' && (Array.isArray(b.output) || typeof b.status === 'string');

export const RESPONSES: WireFormat = {
	label: 'Responses',
	path: '/responses',
	batchUrl: '/v1/responses',
	shape: responseShape,
	body,
	read,
	// An answer is the Response itself; a streamed one carries it in response.completed.
	billing: (raw) => {
		const response = (raw.object === 'response' || Array.isArray(raw.output) ? raw : (raw.response ?? raw)) as ResponseBody;
		const toolUse = toolUseOf(response.output);
		return {
			model: response.model,
			serviceTier: response.service_tier,
			usage: response.usage,
			...(Object.keys(toolUse).length ? { toolUse: toolUse as Record<string, number> } : {}),
		};
	},
	stream: {
		startsAnswer: (event) =>
			(event.type === 'response.output_text.delta' && typeof event.delta === 'string' && event.delta !== '') ||
			(event.type === 'response.output_item.added' && (event.item as OutputItem | undefined)?.type === 'function_call'),
		carriesUsage: (event) =>
			(event.type === 'response.completed' || event.type === 'response.incomplete') && !!(event.response as ResponseBody | undefined)?.usage,
	},
	deltas,
};
