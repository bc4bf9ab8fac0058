/** Estimate Cost: prices each item's tokens, from the Chat node's answer or from fields. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { formatUsd, roundUsd } from '../../../shared/format';
import { fieldError, numberParameter, type ParameterContext } from '../../../shared/parameters';
import { offlinePrice, priceOverridesProperty, unknownModelProperty, unknownModelWarning } from '../../../shared/pricing/overrides';
import { costOf, PRICE_TABLE_DATE, tierOf, tokensFromUsage, toolFeesOf, type TokenCounts } from '../../../shared/pricing/prices';
import { getPath } from '../../helpers/paths';

const properties: INodeProperties[] = [
	{
		displayName: 'Token Source',
		name: 'tokenSource',
		type: 'options',
		default: 'chatOutput',
		options: [
			{
				name: 'Chat Node Answer',
				value: 'chatOutput',
				description: 'Read the token counts and model of each answer of the OpenAI Reliable Chat node (or the OpenAI "usage" object)',
			},
			{ name: 'Fields I Choose', value: 'fields', description: 'Give the model and token counts, usually as expressions' },
		],
	},
	{
		displayName: 'Answer Field',
		name: 'usageField',
		type: 'string',
		default: '',
		placeholder: 'e.g. openai',
		displayOptions: { show: { tokenSource: ['chatOutput'] } },
		description:
			'Where the answer is in each item: empty for the top level (the Chat node\'s default), or the key set as its Answer Field. A "usage" object there works too.',
	},
	{
		displayName: 'Model',
		name: 'model',
		type: 'string',
		default: '',
		placeholder: 'empty: the model of each answer',
		description: 'The model whose prices apply. Empty uses the "model" of each answer.',
	},
	{
		displayName: 'Input Tokens',
		name: 'inputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { tokenSource: ['fields'] } },
		description: 'All prompt tokens, cached ones included',
	},
	{
		displayName: 'Cached Input Tokens',
		name: 'cachedInputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { tokenSource: ['fields'] } },
		description: 'The part of the input read from the prompt cache (billed at the cached price)',
	},
	{
		displayName: 'Output Tokens',
		name: 'outputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { tokenSource: ['fields'] } },
		description: 'All completion tokens, reasoning tokens included',
	},
	{
		displayName: 'Built-in Tool Calls',
		name: 'toolCalls',
		type: 'fixedCollection',
		default: {},
		placeholder: 'Add Tool Calls',
		displayOptions: { show: { tokenSource: ['fields'] } },
		description:
			"Web searches, file searches and code interpreter containers the answer used, each billed on top of tokens (a Chat node answer's toolCalls field is read by itself)",
		options: [
			{
				displayName: 'Calls',
				name: 'calls',
				values: [
					{ displayName: 'Web Searches', name: 'web_search', type: 'number', default: 0, typeOptions: { minValue: 0 } },
					{ displayName: 'File Searches', name: 'file_search', type: 'number', default: 0, typeOptions: { minValue: 0 } },
					{ displayName: 'Code Interpreter Containers', name: 'code_interpreter', type: 'number', default: 0, typeOptions: { minValue: 0 } },
				],
			},
		],
	},
	{
		displayName: 'Price Tier',
		name: 'priceTier',
		type: 'options',
		default: 'answer',
		options: [
			{ name: 'As the Answer Says', value: 'answer', description: 'The service_tier of each answer, else Standard' },
			{ name: 'Batch (Half Price)', value: 'batch' },
			{ name: 'Flex (Half Price)', value: 'flex' },
			{ name: 'Priority', value: 'priority' },
			{ name: 'Standard', value: 'standard' },
		],
		description: "Which of OpenAI's price tiers applies",
	},
	{
		displayName: 'Add Total Item',
		name: 'includeTotal',
		type: 'boolean',
		default: false,
		description: 'Whether to add one more item at the end with the total cost of all items, per model',
	},
	priceOverridesProperty(),
	unknownModelProperty,
];

export const description = updateDisplayOptions({ show: { resource: ['cost'], operation: ['estimateCost'] } }, properties);

const noTokens = (ctx: ParameterContext, itemIndex: number, where: string) =>
	fieldError(ctx, itemIndex, 'Answer Field', `this item has no token counts ${where}: no "usage" object and no promptTokens/completionTokens fields`, {
		description:
			'Estimate Cost prices the answers of the OpenAI Reliable Chat node: connect it after that node, point Answer Field at the answer, or set Token Source to "Fields I Choose".',
		offline: true,
	});

function readTokens(ctx: ParameterContext, itemIndex: number, answer: unknown, where: string): TokenCounts {
	const record = answer && typeof answer === 'object' ? (answer as IDataObject) : undefined;
	const tokens = tokensFromUsage(record?.usage) ?? tokensFromUsage(record);
	if (!tokens) throw noTokens(ctx, itemIndex, where);
	return tokens;
}

/** Built-in tool calls: the Chat node answer's toolCalls field, or the Built-in Tool Calls fields. */
function toolCallsOf(ctx: ParameterContext, itemIndex: number, answer: unknown, fromAnswer: boolean): Record<string, number> {
	const raw = fromAnswer
		? answer && typeof answer === 'object'
			? (answer as IDataObject).toolCalls
			: undefined
		: ((ctx.getNodeParameter('toolCalls', itemIndex, {}) ?? {}) as IDataObject).calls;
	const calls: Record<string, number> = {};
	for (const [tool, count] of Object.entries((raw ?? {}) as IDataObject)) {
		const n = Number(count);
		if (Number.isFinite(n) && n > 0) calls[tool] = n;
	}
	return calls;
}

function fieldTokens(ctx: ParameterContext, itemIndex: number): TokenCounts {
	const read = (name: string, field: string) => numberParameter(ctx, name, itemIndex, { field, min: 0, fallback: 0, offline: true })!;
	return {
		inputTokens: read('inputTokens', 'Input Tokens'),
		cachedInputTokens: read('cachedInputTokens', 'Cached Input Tokens'),
		outputTokens: read('outputTokens', 'Output Tokens'),
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	/** The model each item was priced as, for the total item. */
	const models: string[] = [];
	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const json = items[itemIndex].json;
			const source = this.getNodeParameter('tokenSource', itemIndex, 'chatOutput') as string;
			const path = String(this.getNodeParameter('usageField', itemIndex, '') ?? '').trim();
			const answer = source === 'chatOutput' ? getPath(json, path) : undefined;
			const tokens = source === 'chatOutput' ? readTokens(this, itemIndex, answer, path ? `at "${path}"` : 'at its top level') : fieldTokens(this, itemIndex);
			const given = String(this.getNodeParameter('model', itemIndex, '') ?? '').trim();
			const answerModel = answer && typeof answer === 'object' ? (answer as IDataObject).model : undefined;
			const model = given || (typeof answerModel === 'string' ? answerModel.trim() : '');
			if (model === '' || /\s/.test(model)) {
				throw fieldError(
					this,
					itemIndex,
					'Model',
					model === '' ? 'no model is given, and the item has no "model" field' : `"${model}" contains spaces; model IDs never do`,
					{
						description: 'Give the model ID (e.g. gpt-4o-mini), or an expression that finds it in the item.',
						offline: true,
					},
				);
			}
			models[itemIndex] = model;
			const tierChoice = this.getNodeParameter('priceTier', itemIndex, 'answer') as string;
			const answerTier = answer && typeof answer === 'object' ? ((answer as IDataObject).serviceTier ?? (answer as IDataObject).service_tier) : undefined;
			const tier = tierChoice === 'answer' ? tierOf(answerTier) : tierOf(tierChoice);
			const match = offlinePrice(this, itemIndex, model, tier);
			if (!match) return { costUsd: 0, cost: formatUsd(0), costWarning: unknownModelWarning(model) } as IDataObject;
			const cost = costOf(tokens, match.price);
			const toolCalls = toolCallsOf(this, itemIndex, answer, source === 'chatOutput');
			const toolsUsd = toolFeesOf(toolCalls);
			const totalUsd = roundUsd(cost.totalUsd + toolsUsd);
			return {
				costUsd: totalUsd,
				cost: formatUsd(totalUsd),
				costBreakdown: {
					inputUsd: cost.inputUsd,
					cachedInputUsd: cost.cachedInputUsd,
					outputUsd: cost.outputUsd,
					...(toolsUsd > 0 ? { toolsUsd, toolCalls } : {}),
				},
				pricing: {
					model: match.matched,
					source: match.source === 'override' ? 'price override' : `built-in table of ${PRICE_TABLE_DATE}`,
					tier: match.tier,
					inputPer1M: match.price.input,
					cachedInputPer1M: match.price.cachedInput ?? match.price.input,
					outputPer1M: match.price.output,
				},
				...(match.tierNote ? { costNote: match.tierNote } : {}),
			} as IDataObject;
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail() },
	);
	const output = itemsFromOutcomes(this, outcomes, undefined);

	if (this.getNodeParameter('includeTotal', 0, false)) {
		// Sums of the items' own figures, rounded once at the end: the total is the sum of the items.
		const byModel: Record<string, number> = {};
		let total = 0;
		outcomes.forEach((outcome, index) => {
			if (!outcome?.ok) return;
			const cost = Number(outcome.value.costUsd ?? 0);
			byModel[models[index]] = (byModel[models[index]] ?? 0) + cost;
			total += cost;
		});
		for (const model of Object.keys(byModel)) byModel[model] = roundUsd(byModel[model]);
		output.push({
			json: {
				totalCostUsd: roundUsd(total),
				totalCost: formatUsd(total),
				items: outcomes.filter((o) => o?.ok).length,
				failedItems: outcomes.filter((o) => o && !o.ok).length,
				byModel,
			},
			pairedItem: items.map((_, item) => ({ item })),
		});
	}
	return [output];
}
