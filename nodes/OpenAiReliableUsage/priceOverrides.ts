import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ModelPrice } from '../shared/pricing/prices';
import { fieldError } from '../shared/execution/parameters';

export function priceOverridesProperty(operations: string[]): INodeProperties {
	return {
		displayName: 'Price Overrides',
		name: 'priceOverrides',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Price',
		default: {},
		displayOptions: { show: { operation: operations } },
		description:
			'Your own prices (USD per 1M tokens), e.g. for a fine-tuned model, a negotiated rate or a model newer than the built-in table. They win over the table.',
		options: [
			{
				displayName: 'Price',
				name: 'prices',
				values: [
					{
						displayName: 'Model',
						name: 'model',
						type: 'string',
						default: '',
						placeholder: 'e.g. gpt-4o-mini',
						description: 'Model ID; dated versions of it (gpt-4o-mini-2024-07-18) match too',
					},
					{ displayName: 'Input per 1M Tokens (USD)', name: 'input', type: 'number', default: 0, typeOptions: { minValue: 0, numberPrecision: 4 } },
					{
						displayName: 'Cached Input per 1M Tokens (USD)',
						name: 'cachedInput',
						type: 'number',
						default: -1,
						typeOptions: { minValue: -1, numberPrecision: 4 },
						description: '-1 means the same as the input price',
					},
					{ displayName: 'Output per 1M Tokens (USD)', name: 'output', type: 'number', default: 0, typeOptions: { minValue: 0, numberPrecision: 4 } },
				],
			},
		],
	};
}

export function readPriceOverrides(ctx: IExecuteFunctions, itemIndex: number): Record<string, ModelPrice> {
	const raw = ctx.getNodeParameter('priceOverrides', itemIndex, {}) as { prices?: IDataObject[] };
	const overrides: Record<string, ModelPrice> = {};
	for (const row of raw.prices ?? []) {
		const model = String(row.model ?? '').trim();
		if (model === '') throw fieldError(ctx, itemIndex, 'Price Overrides', 'a row has no Model');
		const input = Number(row.input ?? 0);
		const output = Number(row.output ?? 0);
		const cached = Number(row.cachedInput ?? -1);
		if (![input, output].every((n) => Number.isFinite(n) && n >= 0)) {
			throw fieldError(ctx, itemIndex, 'Price Overrides', `the prices for "${model}" must be numbers of 0 or more`);
		}
		overrides[model] = { input, output, ...(Number.isFinite(cached) && cached >= 0 ? { cachedInput: cached } : {}) };
	}
	return overrides;
}
