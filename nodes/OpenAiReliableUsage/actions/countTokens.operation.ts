import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../shared/execution/output';
import { runItems } from '../../shared/execution/runItems';
import { costOf } from '../../shared/pricing/prices';
import { countChatTokens, encodingForModel, getEncoding, type ChatMessage } from '../../shared/tokenizer';
import { fieldError, jsonParameter, textParameter } from '../../shared/execution/parameters';
import { priceFor } from './estimateCost.operation';

const show = { operation: ['countTokens'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Count',
		name: 'countInput',
		type: 'options',
		default: 'text',
		displayOptions: { show },
		options: [
			{ name: 'Text', value: 'text', description: 'A piece of text, e.g. a prompt' },
			{
				name: 'Chat Messages',
				value: 'messages',
				description: 'A messages array as sent to chat completions, with the per-message framing tokens',
			},
		],
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		displayOptions: { show: { ...show, countInput: ['text'] } },
		description: 'The text to count, usually an expression such as {{ $JSON.prompt }}',
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messages',
		type: 'json',
		default: '={{ $json.messages }}',
		displayOptions: { show: { ...show, countInput: ['messages'] } },
		description: 'An array like [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}]',
	},
	{
		displayName: 'Model',
		name: 'countModel',
		type: 'string',
		default: 'gpt-4o-mini',
		displayOptions: { show },
		description: 'Decides the encoding (o200k_base for GPT-4o and newer, cl100k_base for GPT-4 and GPT-3.5) and the price',
	},
	{
		displayName: 'Expected Output Tokens',
		name: 'expectedOutputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show },
		description: 'Optional: an answer length to include in estimatedCostUsd (e.g. your Max Tokens)',
	},
];

function readMessages(ctx: IExecuteFunctions, itemIndex: number): ChatMessage[] {
	const field = 'Messages (JSON)';
	const value = jsonParameter(ctx, 'messages', field, itemIndex);
	if (value === undefined) throw fieldError(ctx, itemIndex, field, 'is empty');
	if (!Array.isArray(value)) throw fieldError(ctx, itemIndex, field, 'must be an array of {role, content} messages');
	return value.map((entry, position) => {
		const message = entry as { role?: unknown; content?: unknown; name?: unknown };
		if (!message || typeof message.role !== 'string' || typeof message.content !== 'string') {
			throw fieldError(ctx, itemIndex, field, `message ${position + 1} needs a text "role" and "content"`);
		}
		return { role: message.role, content: message.content, ...(typeof message.name === 'string' ? { name: message.name } : {}) };
	});
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const model = String(this.getNodeParameter('countModel', itemIndex, 'gpt-4o-mini') ?? '').trim() || 'gpt-4o-mini';
			const encodingName = encodingForModel(model);
			const encoding = await getEncoding(encodingName);
			const mode = this.getNodeParameter('countInput', itemIndex, 'text') as string;
			let tokens: number;
			if (mode === 'messages') {
				tokens = countChatTokens(encoding, readMessages(this, itemIndex));
			} else {
				tokens = encoding.count(textParameter(this, 'text', 'Text', itemIndex));
			}
			const expected = Math.max(0, Number(this.getNodeParameter('expectedOutputTokens', itemIndex, 0)) || 0);
			const match = priceFor(this, itemIndex, model);
			const result: IDataObject = { ...items[itemIndex].json, tokenCount: tokens, encoding: encodingName, tokenModel: model };
			if (match) {
				result.estimatedInputCostUsd = costOf({ inputTokens: tokens, outputTokens: 0 }, match.price).totalUsd;
				result.estimatedCostUsd = costOf({ inputTokens: tokens, outputTokens: expected }, match.price).totalUsd;
			} else {
				result.estimatedInputCostUsd = 0;
				result.estimatedCostUsd = 0;
				result.costWarning = `No price known for "${model}"; counted as 0. Add it under Price Overrides.`;
			}
			return result;
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail() },
	);
	return [itemsFromOutcomes(this, outcomes, undefined)];
}
