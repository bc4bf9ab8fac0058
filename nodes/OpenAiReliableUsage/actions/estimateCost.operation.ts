import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../shared/execution/output';
import { runItems } from '../../shared/execution/runItems';
import { costOf, findPrice, PRICE_TABLE_DATE, tokensFromUsage, type TokenCounts } from '../../shared/pricing/prices';
import { fieldError } from '../../shared/execution/parameters';
import { getPath, roundUsd } from '../helpers';
import { priceOverridesProperty, readPriceOverrides } from '../priceOverrides';

const show = { operation: ['estimateCost'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Token Source',
		name: 'tokenSource',
		type: 'options',
		default: 'chatOutput',
		displayOptions: { show },
		options: [
			{
				name: 'Chat Node Output',
				value: 'chatOutput',
				description: 'Read "model" and the OpenAI "usage" object from each item, as the Chat node outputs them',
			},
			{ name: 'Fields I Choose', value: 'fields', description: 'Give the model and token counts, usually as expressions' },
		],
	},
	{
		displayName: 'Usage Field',
		name: 'usageField',
		type: 'string',
		default: 'usage',
		displayOptions: { show: { ...show, tokenSource: ['chatOutput'] } },
		description: 'Where the usage object is in each item (dot notation for nested fields)',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: '={{ $json.model }}',
		required: true,
		displayOptions: { show },
		description: 'The model whose prices apply',
	},
	{
		displayName: 'Input Tokens',
		name: 'inputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { ...show, tokenSource: ['fields'] } },
		description: 'All prompt tokens, cached ones included',
	},
	{
		displayName: 'Cached Input Tokens',
		name: 'cachedInputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { ...show, tokenSource: ['fields'] } },
		description: 'The part of the input read from the prompt cache (billed at the cached price)',
	},
	{
		displayName: 'Output Tokens',
		name: 'outputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { ...show, tokenSource: ['fields'] } },
		description: 'All completion tokens, reasoning tokens included',
	},
	priceOverridesProperty(['estimateCost', 'countTokens']),
	{
		displayName: 'Unknown Model',
		name: 'unknownModel',
		type: 'options',
		default: 'error',
		displayOptions: { show: { operation: ['estimateCost', 'countTokens'] } },
		options: [
			{ name: 'Fail With an Error', value: 'error' },
			{ name: 'Count as Zero and Add a Warning', value: 'zero' },
		],
		description: 'What to do when neither the overrides nor the built-in table know the model',
	},
	{
		displayName: 'Add Total Item',
		name: 'includeTotal',
		type: 'boolean',
		default: false,
		displayOptions: { show },
		description: 'Whether to add one more item at the end with the total cost of all items, per model',
	},
];

function tokenCounts(ctx: IExecuteFunctions, itemIndex: number, json: IDataObject): TokenCounts {
	const source = ctx.getNodeParameter('tokenSource', itemIndex, 'chatOutput') as string;
	if (source === 'chatOutput') {
		const field = String(ctx.getNodeParameter('usageField', itemIndex, 'usage') || 'usage');
		const tokens = tokensFromUsage(getPath(json, field));
		if (!tokens) {
			throw fieldError(
				ctx,
				itemIndex,
				'Usage Field',
				`no token counts found at "${field}" in this item`,
				'Connect this node after the OpenAI Reliable Chat node, or switch Token Source to "Fields I Choose".',
			);
		}
		return tokens;
	}
	const read = (name: string, field: string): number => {
		const value = Number(ctx.getNodeParameter(name, itemIndex, 0));
		if (!Number.isFinite(value) || value < 0) throw fieldError(ctx, itemIndex, field, 'must be a number of 0 or more');
		return value;
	};
	return {
		inputTokens: read('inputTokens', 'Input Tokens'),
		cachedInputTokens: read('cachedInputTokens', 'Cached Input Tokens'),
		outputTokens: read('outputTokens', 'Output Tokens'),
	};
}

/** Prices a model, or reports it unknown the way the Unknown Model option says. */
export function priceFor(ctx: IExecuteFunctions, itemIndex: number, model: string) {
	const match = findPrice(model, readPriceOverrides(ctx, itemIndex));
	if (match) return match;
	if (ctx.getNodeParameter('unknownModel', itemIndex, 'error') === 'zero') return undefined;
	throw fieldError(
		ctx,
		itemIndex,
		'Model',
		`no price known for "${model}"`,
		`The built-in table (${PRICE_TABLE_DATE}) covers current OpenAI chat models. Add this model under Price Overrides, or set Unknown Model to "Count as Zero".`,
	);
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	/** The model each item was priced as, for the total item. */
	const models: string[] = [];
	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const json = items[itemIndex].json;
			const model = String(this.getNodeParameter('model', itemIndex, '') ?? '').trim();
			if (model === '') throw fieldError(this, itemIndex, 'Model', 'is empty', 'Give the model, e.g. {{ $json.model }}.');
			models[itemIndex] = model;
			const tokens = tokenCounts(this, itemIndex, json);
			const match = priceFor(this, itemIndex, model);
			if (!match) {
				return { ...json, costUsd: 0, costWarning: `No price known for "${model}"; counted as 0. Add it under Price Overrides.` };
			}
			const cost = costOf(tokens, match.price);
			return {
				...json,
				costUsd: cost.totalUsd,
				cost: { inputUsd: cost.inputUsd, cachedInputUsd: cost.cachedInputUsd, outputUsd: cost.outputUsd },
				pricing: {
					model: match.matched,
					source: match.source === 'override' ? 'price override' : `built-in table of ${PRICE_TABLE_DATE}`,
					inputPer1M: match.price.input,
					cachedInputPer1M: match.price.cachedInput ?? match.price.input,
					outputPer1M: match.price.output,
				},
			} as IDataObject;
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail() },
	);
	const output = itemsFromOutcomes(this, outcomes, undefined);

	if (this.getNodeParameter('includeTotal', 0, false)) {
		const byModel: Record<string, number> = {};
		let total = 0;
		outcomes.forEach((outcome, index) => {
			if (!outcome?.ok) return;
			const cost = Number(outcome.value.costUsd ?? 0);
			const model = models[index];
			byModel[model] = roundUsd((byModel[model] ?? 0) + cost);
			total += cost;
		});
		output.push({
			json: {
				totalCostUsd: roundUsd(total),
				items: outcomes.filter((o) => o?.ok).length,
				failedItems: outcomes.filter((o) => o && !o.ok).length,
				byModel,
			},
			pairedItem: items.map((_, item) => ({ item })),
		});
	}
	return [output];
}
