/**
 * Price Overrides: the user's own prices, for fine-tuned models, negotiated rates or models
 * newer than the built-in table. The same field in every node that prices or calls a model.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { moneyTypeOptions } from '../descriptions/money';
import { checkNumber, fieldError, type ParameterContext } from '../parameters';
import { findPrice, PRICE_TABLE_DATE, type PriceMatch, type PriceOverride, type PriceTier } from './prices';

export function priceOverridesProperty(displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	return {
		displayName: 'Price Overrides',
		name: 'priceOverrides',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Price',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		description: `Your own prices (USD per 1M tokens), e.g. for a fine-tuned model, a negotiated rate or a model newer than the built-in table of ${PRICE_TABLE_DATE}. They win over the table.`,
		options: [
			{
				displayName: 'Price',
				name: 'prices',
				values: [
					{
						displayName: 'Cached Input per 1M Tokens (USD)',
						name: 'cachedInput',
						type: 'number',
						default: -1,
						typeOptions: moneyTypeOptions(-1),
						description: '-1 means the same as the input price',
					},
					{ displayName: 'Input per 1M Tokens (USD)', name: 'input', type: 'number', default: 0, typeOptions: moneyTypeOptions(0) },
					{
						displayName: 'Max Output Tokens',
						name: 'maxOutput',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0 },
						description: "The model's longest answer, for the spend cap's worst case when Max Tokens is not set. 0 means unknown.",
					},
					{
						displayName: 'Model',
						name: 'model',
						type: 'string',
						default: '',
						placeholder: 'e.g. gpt-4o-mini',
						description: 'Model ID; dated versions of it (gpt-4o-mini-2024-07-18) match too',
					},
					{ displayName: 'Output per 1M Tokens (USD)', name: 'output', type: 'number', default: 0, typeOptions: moneyTypeOptions(0) },
				],
			},
		],
	};
}

/** The Price Overrides of one item, checked. */
export function readPriceOverrides(ctx: ParameterContext, itemIndex: number, offline = false): Record<string, PriceOverride> {
	const raw = ctx.getNodeParameter('priceOverrides', itemIndex, {}) as { prices?: IDataObject[] };
	const overrides: Record<string, PriceOverride> = {};
	for (const row of raw?.prices ?? []) {
		const model = String(row.model ?? '').trim();
		if (model === '') throw fieldError(ctx, itemIndex, 'Price Overrides', 'a row has no Model', { offline });
		const field = `Price Overrides (${model})`;
		const input = checkNumber(ctx, itemIndex, row.input, { field, min: 0, fallback: 0, offline })!;
		const output = checkNumber(ctx, itemIndex, row.output, { field, min: 0, fallback: 0, offline })!;
		const cached = checkNumber(ctx, itemIndex, row.cachedInput, { field, min: -1, fallback: -1, offline })!;
		const maxOutput = checkNumber(ctx, itemIndex, row.maxOutput, { field, min: 0, fallback: 0, integer: true, offline })!;
		overrides[model] = {
			input,
			output,
			...(cached >= 0 ? { cachedInput: cached } : {}),
			...(maxOutput > 0 ? { maxOutput } : {}),
		};
	}
	return overrides;
}

/** What offline operations do with a model nobody has a price for. */
export const unknownModelProperty: INodeProperties = {
	displayName: 'Unknown Model',
	name: 'unknownModel',
	type: 'options',
	default: 'error',
	options: [
		{ name: 'Fail With an Error', value: 'error' },
		{ name: 'Count as Zero and Add a Warning', value: 'zero' },
	],
	description: 'What to do when neither the Price Overrides nor the built-in table know the model',
};

/**
 * A model's price for an operation that never calls the API, or undefined when the user
 * chose to count unknown models as zero.
 */
export function offlinePrice(ctx: ParameterContext, itemIndex: number, model: string, tier: PriceTier = 'standard'): PriceMatch | undefined {
	const match = findPrice(model, readPriceOverrides(ctx, itemIndex, true), tier);
	if (match) return match;
	if (ctx.getNodeParameter('unknownModel', itemIndex, 'error') === 'zero') return undefined;
	throw fieldError(ctx, itemIndex, 'Model', `no price known for "${model}"`, {
		description: `The built-in table (${PRICE_TABLE_DATE}) covers current OpenAI chat models. Add this model under Price Overrides, or set Unknown Model to "Count as Zero".`,
		offline: true,
	});
}

/** The warning an item gets when its model was counted as zero. */
export function unknownModelWarning(model: string): string {
	return `No price known for "${model}"; counted as 0. Add it under Price Overrides.`;
}
