import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import * as checkBudget from './checkBudget.operation';
import * as countTokens from './countTokens.operation';
import * as estimateCost from './estimateCost.operation';
import * as getCosts from './getCosts.operation';
import * as getUsage from './getUsage.operation';
import * as rateLimits from './rateLimits.operation';

export const BUDGET_OPERATIONS = ['checkBudget', 'checkBudgetItems'];

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'estimateCost',
	options: [
		{
			name: 'Check Budget (Incoming Costs)',
			value: 'checkBudgetItems',
			description: 'Add up costUsd of the incoming items and route them to Within or Over Budget',
			action: 'Check budget against incoming costs',
		},
		{
			name: 'Check Budget (Month to Date)',
			value: 'checkBudget',
			description: 'Compare this month\'s spend from the Costs API with a budget, and route to Within or Over Budget',
			action: 'Check budget against month to date spend',
		},
		{
			name: 'Count Tokens',
			value: 'countTokens',
			description: 'Count the tokens of a text or chat messages before sending, with the input cost',
			action: 'Count tokens',
		},
		{
			name: 'Estimate Cost',
			value: 'estimateCost',
			description: 'Price token counts, e.g. the Chat node\'s usage, with the built-in or your own prices',
			action: 'Estimate cost',
		},
		{
			name: 'Get Costs',
			value: 'getCosts',
			description: 'What the organization spent, from the Costs API (admin key)',
			action: 'Get costs',
		},
		{
			name: 'Get Rate Limits',
			value: 'rateLimits',
			description: 'The key\'s current rate limits and what remains, from the x-ratelimit headers',
			action: 'Get rate limits',
		},
		{
			name: 'Get Usage',
			value: 'getUsage',
			description: 'Token usage of the organization by model, project or key, from the Usage API (admin key)',
			action: 'Get usage',
		},
	],
};

export const properties: INodeProperties[] = [
	operationProperty,
	...estimateCost.description,
	...countTokens.description,
	...getUsage.description,
	...getCosts.description,
	...checkBudget.description,
	...rateLimits.description,
];

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'estimateCost':
			return await estimateCost.execute.call(this);
		case 'countTokens':
			return await countTokens.execute.call(this);
		case 'getUsage':
			return await getUsage.execute.call(this);
		case 'getCosts':
			return await getCosts.execute.call(this);
		case 'checkBudget':
			return await checkBudget.executeCostsApi.call(this);
		case 'checkBudgetItems':
			return await checkBudget.executeIncoming.call(this);
		case 'rateLimits':
			return await rateLimits.execute.call(this);
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex: 0 });
	}
}
