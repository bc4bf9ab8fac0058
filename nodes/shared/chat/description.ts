/**
 * The fields that describe a chat request, shared by every node that builds one (Chat,
 * Batch, Chat Model), so a workflow can move between them without surprises.
 */
import type { INodeProperties } from 'n8n-workflow';

/**
 * The model picker: a searchable list (the chat models the key can use, or, for nodes
 * without a credential, the models with a known price) or an ID.
 */
export function modelProperty(
	options: {
		name?: string;
		searchMethod?: 'searchModels' | 'searchKnownModels';
		description?: string;
		displayOptions?: INodeProperties['displayOptions'];
		defaultModel?: string;
	} = {},
): INodeProperties {
	return {
		displayName: 'Model',
		name: options.name ?? 'model',
		type: 'resourceLocator',
		default: { mode: 'list', value: options.defaultModel ?? 'gpt-4o-mini' },
		required: true,
		description: options.description ?? 'The chat model. The list shows the models your key can use.',
		...(options.displayOptions ? { displayOptions: options.displayOptions } : {}),
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: {
					searchListMethod: options.searchMethod ?? 'searchModels',
					searchable: true,
				},
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. gpt-4o-mini',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\S+$',
							errorMessage: 'A model ID has no spaces',
						},
					},
				],
			},
		],
	};
}

/** System message, user message and conversation history. */
export const messageProperties: INodeProperties[] = [
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
];

export const historyProperty: INodeProperties = {
	displayName: 'Conversation History (JSON)',
	name: 'history',
	type: 'json',
	default: '[]',
	description:
		'Optional earlier messages, sent before the User Message: an array like [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]. Roles: system, developer, user, assistant.',
};

export const responseFormatProperties: INodeProperties[] = [
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
		default:
			'{\n  "type": "object",\n  "properties": {\n    "answer": { "type": "string" }\n  },\n  "required": ["answer"],\n  "additionalProperties": false\n}',
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
];

/** The model options, as one collection. */
export function chatOptionsProperty(extra: INodeProperties[] = []): INodeProperties {
	const options: INodeProperties[] = [
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
				"Upper limit on the answer length in tokens (reasoning tokens included). Without it the model decides, up to its own limit, which is also the spend cap's worst case.",
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
			displayName: 'Service Tier',
			name: 'serviceTier',
			type: 'options',
			default: 'auto',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description: "The project's default tier",
				},
				{
					name: 'Default',
					value: 'default',
					description: 'Standard prices and speed',
				},
				{
					name: 'Flex',
					value: 'flex',
					description:
						'Half price (as Batch), answered now but slower, for o3, o4-mini and GPT-5 models. May answer 429 "resource unavailable", which is retried. Timeout defaults to 15 minutes.',
				},
				{
					name: 'Priority',
					value: 'priority',
					description: 'Faster, at a higher price, where OpenAI offers it',
				},
			],
			description: 'How OpenAI processes and bills the request. The cost follows the tier the answer reports.',
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
		...extra,
	];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** How the answer comes out: next to the input fields (default), under a key, simplified. */
export const outputOptions: INodeProperties[] = [
	{
		displayName: 'Include Input Fields',
		name: 'includeInputFields',
		type: 'boolean',
		default: true,
		description:
			"Whether each output item keeps the incoming item's fields next to the answer. Where a field has the same name as an answer field, the answer wins; set Answer Field to keep both.",
	},
	{
		displayName: 'Answer Field',
		name: 'answerField',
		type: 'string',
		default: '',
		placeholder: 'e.g. openai',
		description: 'Put the answer under this key instead of next to the input fields, so nothing of the input is overwritten. Empty puts it at the top level.',
	},
	{
		displayName: 'Simplify Output',
		name: 'simplifyOutput',
		type: 'boolean',
		default: true,
		description: 'Whether to give token counts as flat fields and leave out the raw usage object, the answer ID and empty retry logs',
	},
];
