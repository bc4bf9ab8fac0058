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

/** Which OpenAI API carries the call. */
export const apiProperty: INodeProperties = {
	displayName: 'API',
	name: 'api',
	type: 'options',
	default: 'auto',
	options: [
		{
			name: 'Auto',
			value: 'auto',
			description: 'Responses when the model answers only there or a built-in tool is on; Chat Completions otherwise',
		},
		{ name: 'Chat Completions', value: 'chatCompletions', description: 'POST /chat/completions, which OpenAI-compatible servers speak too' },
		{ name: 'Responses', value: 'responses', description: "POST /responses, OpenAI's newer API: the -pro and deep-research models, built-in tools" },
	],
	description: 'The output fields are the same whichever API answers',
};

/** Tools OpenAI runs on its side (Responses API), each billed per call. */
export const builtinToolsProperty: INodeProperties = {
	displayName: 'Built-in Tools',
	name: 'builtinTools',
	type: 'collection',
	placeholder: 'Add Tool',
	default: {},
	description: 'Tools OpenAI runs itself, on the Responses API. Each call is billed on top of tokens; the cost and the spend cap include it.',
	options: [
		{
			displayName: 'Code Interpreter',
			name: 'codeInterpreter',
			type: 'boolean',
			default: false,
			description: 'Whether the model may run Python in a container ($0.03 per container)',
		},
		{
			displayName: 'File Search Max Results',
			name: 'fileSearchMaxResults',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 50 },
			description: 'The most chunks one file search returns',
		},
		{
			displayName: 'File Search Vector Store IDs',
			name: 'vectorStoreIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. vs_abc123, vs_def456',
			description: 'Search these vector stores (comma-separated; $2.50 per 1,000 searches). Empty: no file search.',
		},
		{
			displayName: 'Max Tool Calls',
			name: 'maxToolCalls',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 1, maxValue: 100 },
			description:
				'The most built-in tool calls one answer may make (sent as max_tool_calls). With Max Spend per Execution set and this left out, 5 is sent, so the cap can count the fees.',
		},
		{
			displayName: 'Web Search',
			name: 'webSearch',
			type: 'boolean',
			default: false,
			description: 'Whether the model may search the web ($10 per 1,000 searches, plus the pages it reads as input tokens). Sources come out in "sources".',
		},
		{
			displayName: 'Web Search Allowed Domains',
			name: 'allowedDomains',
			type: 'string',
			default: '',
			placeholder: 'e.g. docs.n8n.io, openai.com',
			description: 'Search only these domains and their subdomains (comma-separated). Empty: any.',
		},
		{
			displayName: 'Web Search Context Size',
			name: 'searchContextSize',
			type: 'options',
			default: 'medium',
			options: [
				{ name: 'Low', value: 'low' },
				{ name: 'Medium', value: 'medium' },
				{ name: 'High', value: 'high' },
			],
			description: 'How much of the pages the model reads: more costs more input tokens',
		},
		{
			displayName: 'Web Search User City',
			name: 'userCity',
			type: 'string',
			default: '',
			placeholder: 'e.g. Berlin',
		},
		{
			displayName: 'Web Search User Country',
			name: 'userCountry',
			type: 'string',
			default: '',
			placeholder: 'e.g. DE',
			description: 'Two-letter country code, for local results',
		},
	],
};

/** Options only the Responses API has. */
export const responsesOptions: INodeProperties[] = [
	{
		displayName: 'Background Mode',
		name: 'background',
		type: 'boolean',
		default: true,
		description:
			'Whether to send the request once and poll for the answer, so a long answer survives a dropped connection. On by default for the -pro and deep-research models. The Timeout bounds the whole wait; stopping the execution cancels the answer at OpenAI. Responses API.',
	},
	{
		displayName: 'Previous Response ID',
		name: 'previousResponseId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.responseId }}',
		description:
			'Continue the conversation of an earlier answer (its responseId) without sending the history again. Responses API; the earlier answer must have been stored.',
	},
	{
		displayName: 'Reasoning Summary',
		name: 'reasoningSummary',
		type: 'options',
		default: 'auto',
		options: [
			{ name: 'Auto', value: 'auto' },
			{ name: 'Concise', value: 'concise' },
			{ name: 'Detailed', value: 'detailed' },
		],
		description: 'Ask a reasoning model to summarise its reasoning, into "reasoningSummary". Responses API.',
	},
	{
		displayName: 'Store',
		name: 'store',
		type: 'boolean',
		default: true,
		description:
			'Whether OpenAI keeps the answer (30 days), so Previous Response ID can continue from it. OpenAI stores by default; turn off when the data must not be kept. Responses API.',
	},
];
