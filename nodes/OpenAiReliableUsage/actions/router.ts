/**
 * The Usage node's resources and operations, and the dispatch to them. Operations are
 * peers: each is its own module and none imports another.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import * as checkBudgetItems from './cost/checkBudgetItems.operation';
import * as countTokens from './cost/countTokens.operation';
import * as estimateCost from './cost/estimateCost.operation';
import * as checkBudget from './organization/checkBudget.operation';
import * as getCosts from './organization/getCosts.operation';
import * as getUsage from './organization/getUsage.operation';
import * as getProjectRateLimits from './rateLimit/getProjectRateLimits.operation';
import * as getRateLimits from './rateLimit/getRateLimits.operation';
import * as setProjectRateLimit from './rateLimit/setProjectRateLimit.operation';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>; description: INodeProperties[] };

const OPERATIONS: Record<string, Operation> = {
	estimateCost,
	countTokens,
	checkBudgetItems,
	getUsage,
	getCosts,
	checkBudget,
	getRateLimits,
	getProjectRateLimits,
	setProjectRateLimit,
};

/** The operations with two outputs (Within Budget, Over Budget). */
export const BUDGET_OPERATIONS = ['checkBudget', 'checkBudgetItems'];

/** Operations that need the admin key, and the one that needs the API key. */
export const ADMIN_OPERATIONS = ['getUsage', 'getCosts', 'checkBudget', 'getProjectRateLimits', 'setProjectRateLimit'];
export const API_KEY_OPERATIONS = ['getRateLimits'];

/** Display names, for the canvas subtitle. */
export const OPERATION_NAMES: Record<string, string> = {
	estimateCost: 'Estimate Cost',
	countTokens: 'Count Tokens',
	checkBudgetItems: 'Check Budget (Incoming Costs)',
	getUsage: 'Get Usage',
	getCosts: 'Get Costs',
	checkBudget: 'Check Budget (Month to Date)',
	getRateLimits: 'Get Rate Limits',
	getProjectRateLimits: 'Get Project Rate Limits',
	setProjectRateLimit: 'Set Project Rate Limit',
};

const resourceProperty: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	default: 'cost',
	options: [
		{ name: 'Cost', value: 'cost', description: 'Prices, token counts and budgets, computed here without calling the API' },
		{ name: 'Organization Spend', value: 'organization', description: "Your organization's usage and costs, from the Admin API" },
		{ name: 'Rate Limit', value: 'rateLimit', description: "A key's limits, and the limits OpenAI enforces per project" },
	],
};

const operationProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['cost'] } },
		default: 'estimateCost',
		options: [
			{
				name: 'Check Budget (Incoming Costs)',
				value: 'checkBudgetItems',
				description: 'Add up the cost of the incoming items and route them to Within or Over Budget',
				action: 'Check budget against incoming costs',
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
				description: "Price token counts, e.g. the Chat node's answers, with the built-in or your own prices",
				action: 'Estimate cost',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['organization'] } },
		default: 'getCosts',
		options: [
			{
				name: 'Check Budget (Month to Date)',
				value: 'checkBudget',
				description: "Compare this month's spend from the Costs API with a budget, and route to Within or Over Budget",
				action: 'Check budget against month to date spend',
			},
			{ name: 'Get Costs', value: 'getCosts', description: 'What the organization spent, from the Costs API (admin key)', action: 'Get costs' },
			{
				name: 'Get Usage',
				value: 'getUsage',
				description: 'Token usage of the organization by model, project or key, from the Usage API (admin key)',
				action: 'Get usage',
			},
		],
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['rateLimit'] } },
		default: 'getRateLimits',
		options: [
			{
				name: 'Get Project Rate Limits',
				value: 'getProjectRateLimits',
				description: 'The per-model limits OpenAI enforces for a project (admin key)',
				action: 'Get project rate limits',
			},
			{
				name: 'Get Rate Limits',
				value: 'getRateLimits',
				description: "The key's current rate limits and what remains, from the x-ratelimit headers",
				action: 'Get rate limits',
			},
			{
				name: 'Set Project Rate Limit',
				value: 'setProjectRateLimit',
				description: "Change a project's per-minute limits for one model, so workflows get guaranteed shares (admin key)",
				action: 'Set project rate limit',
			},
		],
	},
];

export const properties: INodeProperties[] = [resourceProperty, ...operationProperties, ...Object.values(OPERATIONS).flatMap((op) => op.description)];

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = OPERATIONS[operation];
	if (!handler) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex: 0 });
	return await handler.execute.call(this);
}
