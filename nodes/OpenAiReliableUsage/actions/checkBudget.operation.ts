import {
	type NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { readRequestSettings, requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { itemsFromOutcomes } from '../../shared/execution/output';
import type { ItemOutcome } from '../../shared/execution/runItems';
import { OpenAiClient } from '../../shared/transport/client';
import { fieldError } from '../../shared/execution/parameters';
import { getPath, isoFromUnix, roundUsd } from '../helpers';
import { fetchCosts, sumAmounts } from './getCosts.operation';

const operations = ['checkBudget', 'checkBudgetItems'];

export const description: INodeProperties[] = [
	{
		displayName: 'Monthly Budget (USD)',
		name: 'monthlyBudget',
		type: 'number',
		default: 100,
		required: true,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		displayOptions: { show: { operation: operations } },
	},
	{
		displayName: 'Soft Limit (% of Budget)',
		name: 'softLimitPercent',
		type: 'number',
		default: 80,
		typeOptions: { minValue: 0, maxValue: 1000 },
		displayOptions: { show: { operation: operations } },
		description: 'From here on softLimitReached is true: the moment to send a warning',
	},
	{
		displayName: 'Hard Limit (% of Budget)',
		name: 'hardLimitPercent',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 0, maxValue: 1000 },
		displayOptions: { show: { operation: operations } },
		description: 'From here on hardLimitReached is true: the moment to stop calling the API',
	},
	{
		displayName: 'Send to "Over Budget" When',
		name: 'routeOverWhen',
		type: 'options',
		default: 'hard',
		displayOptions: { show: { operation: operations } },
		options: [
			{ name: 'Hard Limit Reached', value: 'hard' },
			{ name: 'Soft Limit Reached', value: 'soft' },
		],
	},
	{
		displayName: 'Cost Field',
		name: 'costField',
		type: 'string',
		default: 'costUsd',
		displayOptions: { show: { operation: ['checkBudgetItems'] } },
		description:
			'The field holding each item\'s cost in USD: costUsd from the Chat node or Estimate Cost, estimatedCostUsd from Count Tokens',
	},
	{
		displayName: 'Spend Counted As',
		name: 'spendMode',
		type: 'options',
		default: 'running',
		displayOptions: { show: { operation: ['checkBudgetItems'] } },
		options: [
			{
				name: 'Running Total',
				value: 'running',
				description: 'Each item is judged by the spend up to and including it: items past the limit go to Over Budget',
			},
			{ name: 'Total of All Items', value: 'total', description: 'All items are judged by the sum of all of them' },
		],
	},
	{
		displayName: 'Already Spent (USD)',
		name: 'alreadySpent',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, numberPrecision: 4 },
		displayOptions: { show: { operation: ['checkBudgetItems'] } },
		description: 'Spend to start from, e.g. this month\'s total from an earlier run',
	},
	requestSettingsProperty(false, { show: { operation: ['checkBudget'] } }),
];

export interface BudgetVerdict extends IDataObject {
	spent: number;
	budget: number;
	percentUsed: number;
	remaining: number;
	softLimit: number;
	hardLimit: number;
	softLimitReached: boolean;
	hardLimitReached: boolean;
}

export function judgeBudget(spent: number, budget: number, softPercent: number, hardPercent: number): BudgetVerdict {
	const softLimit = roundUsd((budget * softPercent) / 100);
	const hardLimit = roundUsd((budget * hardPercent) / 100);
	return {
		spent: roundUsd(spent),
		budget,
		percentUsed: Math.round((spent / budget) * 10_000) / 100,
		remaining: roundUsd(hardLimit - spent),
		softLimit,
		hardLimit,
		softLimitReached: spent >= softLimit,
		hardLimitReached: spent >= hardLimit,
	};
}

function readLimits(ctx: IExecuteFunctions, itemIndex: number) {
	const budget = Number(ctx.getNodeParameter('monthlyBudget', itemIndex, 0));
	if (!Number.isFinite(budget) || budget <= 0) {
		throw fieldError(ctx, itemIndex, 'Monthly Budget (USD)', `${String(budget)} is not a budget: it must be more than 0`);
	}
	const soft = Number(ctx.getNodeParameter('softLimitPercent', itemIndex, 80));
	const hard = Number(ctx.getNodeParameter('hardLimitPercent', itemIndex, 100));
	if (!Number.isFinite(hard) || hard <= 0) throw fieldError(ctx, itemIndex, 'Hard Limit (% of Budget)', 'must be more than 0');
	if (!Number.isFinite(soft) || soft < 0 || soft > hard) {
		throw fieldError(ctx, itemIndex, 'Soft Limit (% of Budget)', `${String(soft)}% must be between 0 and the Hard Limit (${hard}%)`);
	}
	const overWhen = ctx.getNodeParameter('routeOverWhen', itemIndex, 'hard') as string;
	return { budget, soft, hard, overWhen };
}

/** First moment of the current calendar month in UTC, as the Costs API buckets days in UTC. */
export function monthStartUtc(now: Date): number {
	return Math.floor(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000);
}

function route(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	judge: (itemIndex: number) => IDataObject & { over: boolean },
): INodeExecutionData[][] {
	const outcomes: Array<ItemOutcome<IDataObject>> = items.map((item, itemIndex) => {
		try {
			return { ok: true, value: { ...item.json, ...judge(itemIndex) } };
		} catch (error) {
			return { ok: false, error };
		}
	});
	const routed = itemsFromOutcomes(ctx, outcomes, undefined);
	const within: INodeExecutionData[] = [];
	const over: INodeExecutionData[] = [];
	routed.forEach((item) => {
		const { over: isOver, ...json } = item.json;
		(isOver === true ? over : within).push({ json, pairedItem: item.pairedItem });
	});
	return [within, over];
}

export async function executeCostsApi(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const limits = items.map((_, itemIndex) => {
		try {
			return readLimits(this, itemIndex);
		} catch (error) {
			return error as NodeOperationError;
		}
	});
	const firstValid = limits.findIndex((l) => !(l instanceof Error));
	let spend: { total: number; currency: string; from: string; to: string } | undefined;
	let spendError: unknown;
	if (firstValid >= 0) {
		const settings = readRequestSettings(this);
		const client = await OpenAiClient.create(this, 'openAiReliableAdminApi', settings.retry);
		const now = new Date();
		const start = monthStartUtc(now);
		try {
			const rows = await fetchCosts(client, firstValid, start, undefined, []);
			spend = { ...sumAmounts(rows), from: isoFromUnix(start), to: now.toISOString() };
		} catch (error) {
			spendError = error;
		}
	}
	return route(this, items, (itemIndex) => {
		const limit = limits[itemIndex];
		if (limit instanceof Error) throw limit;
		if (!spend) throw spendError;
		const verdict = judgeBudget(spend.total, limit.budget, limit.soft, limit.hard);
		return {
			...verdict,
			currency: spend.currency,
			period: { from: spend.from, to: spend.to },
			spendSource: 'OpenAI Costs API, month to date',
			over: limit.overWhen === 'soft' ? verdict.softLimitReached : verdict.hardLimitReached,
		};
	});
}

export async function executeIncoming(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const field = String(this.getNodeParameter('costField', 0, 'costUsd') || 'costUsd');
	const costs = items.map((item, itemIndex) => {
		const value = getPath(item.json, field);
		if (value === undefined || value === null || value === '') return 0;
		const cost = Number(value);
		if (!Number.isFinite(cost) || cost < 0) {
			throw fieldError(this, itemIndex, 'Cost Field', `"${field}" holds ${JSON.stringify(value)}, not a cost in USD`);
		}
		return cost;
	});
	const already = Number(this.getNodeParameter('alreadySpent', 0, 0)) || 0;
	const total = already + costs.reduce((sum, c) => sum + c, 0);
	const mode = this.getNodeParameter('spendMode', 0, 'running') as string;
	let running = already;
	return route(this, items, (itemIndex) => {
		running += costs[itemIndex];
		const limit = readLimits(this, itemIndex);
		const verdict = judgeBudget(mode === 'running' ? running : total, limit.budget, limit.soft, limit.hard);
		return {
			...verdict,
			currency: 'USD',
			spendSource: mode === 'running' ? `running total of "${field}"` : `total of "${field}" over all items`,
			over: limit.overWhen === 'soft' ? verdict.softLimitReached : verdict.hardLimitReached,
		};
	});
}
