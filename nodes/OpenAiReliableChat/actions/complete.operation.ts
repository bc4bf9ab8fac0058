import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readRequestSettings, requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { itemsFromOutcomes, keepAnswer } from '../../shared/execution/output';
import { fieldError, jsonParameter, textParameter } from '../../shared/execution/parameters';
import { runItems } from '../../shared/execution/runItems';
import { costOf, findPrice, tokensFromUsage } from '../../shared/pricing/prices';
import { OpenAiClient, type CallResult } from '../../shared/transport/client';
import { SHAPES } from '../../shared/transport/shapes';

export const description: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: 'gpt-4o-mini' },
		required: true,
		description: 'The chat model. The list shows the models your key can use.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. gpt-4o-mini',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\S+$', errorMessage: 'A model ID has no spaces' },
					},
				],
			},
		],
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		description: 'Instructions for the model, for example: You are a concise assistant who answers in English',
	},
	{
		displayName: 'User Message',
		name: 'prompt',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		placeholder: 'e.g. Summarise this review: {{ $json.review }}',
		description: 'The prompt. Usually an expression that pulls text from the incoming item.',
	},
	{
		displayName: 'Conversation History (JSON)',
		name: 'history',
		type: 'json',
		default: '',
		description:
			'Optional earlier messages, sent before the User Message: an array like [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]. Roles: system, developer, user, assistant.',
	},
	{
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Text', value: 'text', description: 'Plain text in "content"' },
			{
				name: 'JSON Object',
				value: 'json_object',
				description: 'Valid JSON, parsed into "content". Mention JSON in your messages.',
			},
			{
				name: 'JSON Schema (Structured Output)',
				value: 'json_schema',
				description: 'JSON that follows your schema, parsed into "content"',
			},
		],
	},
	{
		displayName: 'JSON Schema',
		name: 'jsonSchema',
		type: 'json',
		default: '{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"],\n  "additionalProperties": false\n}',
		displayOptions: { show: { responseFormat: ['json_schema'] } },
		description: 'The JSON Schema the answer must follow',
	},
	{
		displayName: 'Schema Name',
		name: 'schemaName',
		type: 'string',
		default: 'answer',
		displayOptions: { show: { responseFormat: ['json_schema'] } },
		description: 'A short name for the schema (letters, digits, _ and -)',
	},
	{
		displayName: 'Strict',
		name: 'strict',
		type: 'boolean',
		default: true,
		displayOptions: { show: { responseFormat: ['json_schema'] } },
		description: 'Whether the model must follow the schema exactly (OpenAI structured outputs)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Frequency Penalty',
				name: 'frequencyPenalty',
				type: 'number',
				default: 0,
				typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
				description: 'From -2 to 2. Positive values make repeating the same words less likely.',
			},
			{
				displayName: 'Max Tokens',
				name: 'maxTokens',
				type: 'number',
				default: 1024,
				typeOptions: { minValue: 1 },
				description:
					'Upper limit on the answer length in tokens (reasoning tokens included). Without it the model decides.',
			},
			{
				displayName: 'Presence Penalty',
				name: 'presencePenalty',
				type: 'number',
				default: 0,
				typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
				description: 'From -2 to 2. Positive values make new topics more likely.',
			},
			{
				displayName: 'Reasoning Effort',
				name: 'reasoningEffort',
				type: 'options',
				default: 'medium',
				options: [
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Medium', value: 'medium' },
					{ name: 'Minimal', value: 'minimal' },
					{ name: 'None', value: 'none' },
				],
				description: 'Reasoning models only (o-series, GPT-5): how long the model thinks before answering',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: 0,
				description: 'Ask for repeatable answers: the same seed and inputs tend to give the same output',
			},
			{
				displayName: 'Stop Sequences',
				name: 'stop',
				type: 'string',
				default: '',
				description: 'Up to 4 sequences, separated by commas, where the model stops writing',
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
				description: 'From 0 to 2. Lower is more focused and repeatable, higher is more varied.',
			},
			{
				displayName: 'Top P',
				name: 'topP',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
				description: 'From 0 to 1. Nucleus sampling; change this or Temperature, not both.',
			},
		],
	},
	requestSettingsProperty(true),
];

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

interface ChatMessage {
	role: string;
	content: string;
}

interface ChatRequest {
	body: IDataObject;
	model: string;
	jsonOutput: boolean;
	estimatedTokens: number;
}

interface ChatCompletion {
	id?: string;
	model?: string;
	choices?: Array<{ finish_reason?: string; message?: { content?: string | null; refusal?: string | null } }>;
	usage?: IDataObject;
}

function historyMessages(ctx: IExecuteFunctions, itemIndex: number): ChatMessage[] {
	const field = 'Conversation History (JSON)';
	const history = jsonParameter(ctx, 'history', field, itemIndex);
	if (history === undefined || history === null) return [];
	if (!Array.isArray(history)) {
		throw fieldError(ctx, itemIndex, field, 'must be an array of messages', 'Use [{"role": "user", "content": "…"}, …].');
	}
	return history.map((entry, position) => {
		const message = entry as { role?: unknown; content?: unknown };
		if (!message || typeof message !== 'object' || typeof message.role !== 'string' || !ROLES.has(message.role)) {
			throw fieldError(
				ctx,
				itemIndex,
				field,
				`message ${position + 1} has ${typeof message?.role === 'string' ? `the unknown role "${message.role}"` : 'no role'}`,
				'Each message needs "role" set to system, developer, user or assistant.',
			);
		}
		if (typeof message.content !== 'string') {
			throw fieldError(ctx, itemIndex, field, `message ${position + 1} has no text "content"`);
		}
		return { role: message.role, content: message.content };
	});
}

function numberOption(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	name: string,
	field: string,
	min: number,
	max: number,
	exclusiveMin = false,
): number | undefined {
	const raw = options[name];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const value = Number(raw);
	const tooLow = exclusiveMin ? value <= min : value < min;
	if (!Number.isFinite(value) || tooLow || value > max) {
		const range = max === Infinity ? `more than ${min}` : `between ${min} and ${max}`;
		throw fieldError(ctx, itemIndex, field, `${String(raw)} is out of range: it must be ${range}`);
	}
	return value;
}

export function buildChatRequest(ctx: IExecuteFunctions, itemIndex: number, isOpenAi: boolean): ChatRequest {
	const model = String(ctx.getNodeParameter('model', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (model === '') throw fieldError(ctx, itemIndex, 'Model', 'no model is selected');
	if (/\s/.test(model)) {
		throw fieldError(ctx, itemIndex, 'Model', `"${model}" contains spaces; model IDs never do`, 'Pick the model from the list, or copy its exact ID (e.g. gpt-4o-mini).');
	}

	const system = textParameter(ctx, 'systemMessage', 'System Message', itemIndex);
	const prompt = textParameter(ctx, 'prompt', 'User Message', itemIndex);
	const history = historyMessages(ctx, itemIndex);
	const messages: ChatMessage[] = [];
	if (system.trim() !== '') messages.push({ role: 'system', content: system });
	messages.push(...history);
	if (prompt.trim() !== '') messages.push({ role: 'user', content: prompt });
	if (prompt.trim() === '' && history.length === 0) {
		throw fieldError(
			ctx,
			itemIndex,
			'User Message',
			'it is empty',
			'Type a prompt, or check that the expression finds text in this item (it may be missing a field).',
		);
	}

	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = { model, messages: messages as unknown as IDataObject[] };
	const temperature = numberOption(ctx, itemIndex, options, 'temperature', 'Temperature', 0, 2);
	const topP = numberOption(ctx, itemIndex, options, 'topP', 'Top P', 0, 1);
	const maxTokens = numberOption(ctx, itemIndex, options, 'maxTokens', 'Max Tokens', 0, Infinity, true);
	const frequency = numberOption(ctx, itemIndex, options, 'frequencyPenalty', 'Frequency Penalty', -2, 2);
	const presence = numberOption(ctx, itemIndex, options, 'presencePenalty', 'Presence Penalty', -2, 2);
	if (temperature !== undefined) body.temperature = temperature;
	if (topP !== undefined) body.top_p = topP;
	if (maxTokens !== undefined) body[isOpenAi ? 'max_completion_tokens' : 'max_tokens'] = Math.floor(maxTokens);
	if (frequency !== undefined) body.frequency_penalty = frequency;
	if (presence !== undefined) body.presence_penalty = presence;
	if (options.seed !== undefined && options.seed !== '') body.seed = Math.trunc(Number(options.seed));
	if (typeof options.reasoningEffort === 'string' && options.reasoningEffort !== '') {
		body.reasoning_effort = options.reasoningEffort;
	}
	if (typeof options.stop === 'string' && options.stop.trim() !== '') {
		const stop = options.stop
			.split(',')
			.map((s) => s.trim())
			.filter((s) => s !== '');
		if (stop.length > 4) throw fieldError(ctx, itemIndex, 'Stop Sequences', `${stop.length} given; the API accepts at most 4`);
		body.stop = stop;
	}

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

	// Rough size for pacing only (4 characters per token), plus the reserved answer length.
	const characters = messages.reduce((sum, m) => sum + m.content.length, 0);
	const estimatedTokens = Math.ceil(characters / 4) + 4 * messages.length + (maxTokens ? Math.floor(maxTokens) : 256);
	return { body, model, jsonOutput: format !== 'text', estimatedTokens };
}

function toOutput(ctx: IExecuteFunctions, itemIndex: number, request: ChatRequest, result: CallResult<ChatCompletion>): IDataObject {
	const completion = result.body;
	const choice = completion.choices?.[0];
	const rawContent = choice?.message?.content ?? null;
	const usage = completion.usage ?? {};
	const model = completion.model ?? request.model;
	const price = findPrice(model) ?? findPrice(request.model);
	const tokens = tokensFromUsage(usage);
	const cost = price && tokens ? costOf(tokens, price.price) : undefined;

	const output: IDataObject = {
		content: rawContent,
		finishReason: choice?.finish_reason ?? null,
		model,
		usage,
		costUsd: cost ? cost.totalUsd : null,
		requestId: result.requestId ?? null,
		retries: result.retries,
		retryLog: result.retryLog,
		latencyMs: result.latencyMs,
		elapsedMs: result.elapsedMs,
	};
	if (!cost) {
		output.costNote = `No built-in price for "${model}". Use the OpenAI Reliable Usage node's Estimate Cost with a price override.`;
	}
	if (choice?.message?.refusal) output.refusal = choice.message.refusal;

	if (request.jsonOutput && typeof rawContent === 'string') {
		try {
			output.content = JSON.parse(rawContent) as IDataObject;
		} catch {
			const cutOff = choice?.finish_reason === 'length';
			const error = new NodeOperationError(ctx.getNode(), 'The model\'s answer is not valid JSON', {
					itemIndex,
					description: cutOff
						? 'The answer was cut off at Max Tokens before the JSON was complete. Raise Max Tokens. (This request was answered and billed; with Continue On Fail the raw answer is in rawContent.)'
						: 'Ask for JSON explicitly in the System Message, or use JSON Schema for guaranteed structure. (This request was answered and billed; with Continue On Fail the raw answer is in rawContent.)',
			});
			throw keepAnswer(error, output);
		}
	}
	return output;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const settings = readRequestSettings(this);
	const client = await OpenAiClient.create(this, 'openAiReliableApi', { ...settings.retry, capRpm: settings.requestsPerMinute });

	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const request = buildChatRequest(this, itemIndex, client.isOpenAi);
			const result = await client.call<ChatCompletion>({
				method: 'POST',
				path: '/chat/completions',
				body: request.body,
				itemIndex,
				model: request.model,
				estimatedTokens: request.estimatedTokens,
				shape: SHAPES.chatCompletion,
			});
			return toOutput(this, itemIndex, request, result);
		},
		{ concurrency: settings.concurrency, continueOnFail: this.continueOnFail(), signal: client.signal },
	);

	return [itemsFromOutcomes(this, outcomes, client.signal)];
}
