/**
 * The two budget checks' shared parts: their fields, the verdict, and routing items to
 * Within Budget or Over Budget. Percentages are named ...Percent, dollars ...Usd.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { moneyTypeOptions } from '../../shared/descriptions/money';
import { errorFields, throwUnlessContinuing } from '../../shared/execution/output';
import type { ItemOutcome } from '../../shared/execution/runItems';
import { roundUsd } from '../../shared/format';
import { fieldError, numberParameter, type ParameterContext } from '../../shared/parameters';

export const budgetProperties: INodeProperties[] = [
	{
		displayName: 'Monthly Budget (USD)',
		name: 'monthlyBudget',
		type: 'number',
		default: 100,
		required: true,
		typeOptions: moneyTypeOptions(0),
	},
	{
		displayName: 'Soft Limit (% of Budget)',
		name: 'softLimitPercent',
		type: 'number',
		default: 80,
		typeOptions: { minValue: 0, maxValue: 1000 },
		description: 'From here on softLimitReached is true: the moment to send a warning',
	},
	{
		displayName: 'Hard Limit (% of Budget)',
		name: 'hardLimitPercent',
		type: 'number',
		default: 100,
		typeOptions: { minValue: 0, maxValue: 1000 },
		description: 'From here on hardLimitReached is true: the moment to stop calling the API',
	},
	{
		displayName: 'Send to "Over Budget" When',
		name: 'routeOverWhen',
		type: 'options',
		default: 'hard',
		options: [
			{ name: 'Hard Limit Reached', value: 'hard' },
			{ name: 'Soft Limit Reached', value: 'soft' },
		],
	},
];

export interface BudgetLimits {
	budgetUsd: number;
	softLimitPercent: number;
	hardLimitPercent: number;
	overWhen: 'soft' | 'hard';
}

export function readBudgetLimits(ctx: ParameterContext, itemIndex: number, offline: boolean): BudgetLimits {
	const budgetUsd = numberParameter(ctx, 'monthlyBudget', itemIndex, { field: 'Monthly Budget (USD)', min: 0, exclusiveMin: true, offline });
	if (budgetUsd === undefined) throw fieldError(ctx, itemIndex, 'Monthly Budget (USD)', 'is required', { offline });
	const hardLimitPercent = numberParameter(ctx, 'hardLimitPercent', itemIndex, {
		field: 'Hard Limit (% of Budget)',
		min: 0,
		exclusiveMin: true,
		fallback: 100,
		offline,
	})!;
	const softLimitPercent = numberParameter(ctx, 'softLimitPercent', itemIndex, {
		field: 'Soft Limit (% of Budget)',
		min: 0,
		max: hardLimitPercent,
		fallback: 80,
		offline,
	})!;
	const overWhen = ctx.getNodeParameter('routeOverWhen', itemIndex, 'hard') === 'soft' ? 'soft' : 'hard';
	return { budgetUsd, softLimitPercent, hardLimitPercent, overWhen };
}

export interface BudgetVerdict extends IDataObject {
	spentUsd: number;
	budgetUsd: number;
	percentUsed: number;
	remainingUsd: number;
	softLimitUsd: number;
	softLimitPercent: number;
	hardLimitUsd: number;
	hardLimitPercent: number;
	softLimitReached: boolean;
	hardLimitReached: boolean;
}

export function judgeBudget(spentUsd: number, limits: BudgetLimits): BudgetVerdict {
	const softLimitUsd = roundUsd((limits.budgetUsd * limits.softLimitPercent) / 100);
	const hardLimitUsd = roundUsd((limits.budgetUsd * limits.hardLimitPercent) / 100);
	const spent = roundUsd(spentUsd);
	return {
		spentUsd: spent,
		budgetUsd: limits.budgetUsd,
		percentUsed: Math.round((spentUsd / limits.budgetUsd) * 10_000) / 100,
		remainingUsd: roundUsd(hardLimitUsd - spentUsd),
		softLimitUsd,
		softLimitPercent: limits.softLimitPercent,
		hardLimitUsd,
		hardLimitPercent: limits.hardLimitPercent,
		softLimitReached: spentUsd >= softLimitUsd,
		hardLimitReached: spentUsd >= hardLimitUsd,
	};
}

export function isOver(verdict: BudgetVerdict, limits: BudgetLimits): boolean {
	return limits.overWhen === 'soft' ? verdict.softLimitReached : verdict.hardLimitReached;
}

export interface Judged {
	fields: IDataObject;
	over: boolean;
}

/**
 * Routes every item by its own verdict: Within Budget (output 1) or Over Budget (output 2).
 * An item that cannot be judged stops the node, or with Continue On Fail becomes an error
 * item on Over Budget, the safe side of a budget gate; the others are routed as usual.
 */
export function routeByBudget(ctx: IExecuteFunctions, outcomes: Array<ItemOutcome<Judged>>): INodeExecutionData[][] {
	throwUnlessContinuing(ctx, outcomes, undefined);
	const items = ctx.getInputData();
	const within: INodeExecutionData[] = [];
	const over: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		const json = items[itemIndex]?.json ?? {};
		// Files travel on with their item, so the node after the gate can still send them.
		const binary = items[itemIndex]?.binary ? { binary: items[itemIndex].binary } : {};
		if (outcome.ok) {
			(outcome.value.over ? over : within).push({ json: { ...json, ...outcome.value.fields }, ...binary, pairedItem: { item: itemIndex } });
		} else {
			over.push({ json: { ...json, ...errorFields(outcome.error, itemIndex) }, ...binary, pairedItem: { item: itemIndex } });
		}
	});
	return [within, over];
}
