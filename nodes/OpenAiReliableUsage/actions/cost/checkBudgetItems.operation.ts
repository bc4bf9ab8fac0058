/** Check Budget (Incoming Costs): routes items by the costs they carry, without calling the API. */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { moneyTypeOptions } from '../../../shared/descriptions/money';
import { runItems } from '../../../shared/execution/runItems';
import { fieldError, numberParameter } from '../../../shared/parameters';
import { budgetProperties, isOver, judgeBudget, readBudgetLimits, routeByBudget, type Judged } from '../../helpers/budget';
import { getPath } from '../../helpers/paths';

const properties: INodeProperties[] = [
	...budgetProperties,
	{
		displayName: 'Cost Field',
		name: 'costField',
		type: 'string',
		default: 'costUsd',
		description: "The field holding each item's cost in USD: costUsd from the Chat node or Estimate Cost, estimatedCostUsd from Count Tokens",
	},
	{
		displayName: 'Spend Counted As',
		name: 'spendMode',
		type: 'options',
		default: 'running',
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
		typeOptions: moneyTypeOptions(0),
		description: "Spend to start from, e.g. this month's total from an earlier run",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['cost'], operation: ['checkBudgetItems'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const field = String(this.getNodeParameter('costField', 0, 'costUsd') || 'costUsd');
	// Each item's cost on its own: one that is not a number fails only that item.
	const costs = items.map((item, itemIndex) => {
		const value = getPath(item.json, field);
		if (value === undefined || value === null || value === '') return 0;
		const cost = Number(value);
		if (!Number.isFinite(cost) || cost < 0) {
			return fieldError(this, itemIndex, 'Cost Field', `"${field}" holds ${JSON.stringify(value)}, not a cost in USD`, { offline: true });
		}
		return cost;
	});
	const already = numberParameter(this, 'alreadySpent', 0, { field: 'Already Spent (USD)', min: 0, fallback: 0, offline: true })!;
	const valid = costs.filter((cost): cost is number => typeof cost === 'number');
	const total = already + valid.reduce((sum, cost) => sum + cost, 0);
	const mode = this.getNodeParameter('spendMode', 0, 'running') as string;
	let running = already;
	const outcomes = await runItems<Judged>(
		items.length,
		async (itemIndex) => {
			const cost = costs[itemIndex];
			if (cost instanceof Error) throw cost;
			running += cost;
			const limits = readBudgetLimits(this, itemIndex, true);
			const verdict = judgeBudget(mode === 'running' ? running : total, limits);
			return {
				fields: {
					...verdict,
					currency: 'USD',
					spendSource: mode === 'running' ? `running total of "${field}"` : `total of "${field}" over all items`,
				},
				over: isOver(verdict, limits),
			};
		},
		{ concurrency: 1, continueOnFail: true },
	);
	return routeByBudget(this, outcomes);
}
