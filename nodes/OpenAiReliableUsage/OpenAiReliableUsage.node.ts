import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { testAdminCredential, testApiCredential } from '../shared/methods/credentialTest';
import { searchKnownModels, searchModels } from '../shared/methods/listSearch';
import { ADMIN_OPERATIONS, API_KEY_OPERATIONS, BUDGET_OPERATIONS, OPERATION_NAMES, properties, route } from './actions/router';

/** Two outputs for the budget checks, one for everything else. */
const outputsExpression = `${JSON.stringify(BUDGET_OPERATIONS)}.includes($parameter["operation"]) ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Within Budget" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Over Budget" }] : ["${NodeConnectionTypes.Main}"]`;
const outputs: `={{${string}}}` = `={{ ${outputsExpression} }}`;

export class OpenAiReliableUsage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Reliable Usage',
		name: 'openAiReliableUsage',
		icon: { light: 'file:openAiReliableUsage.svg', dark: 'file:openAiReliableUsage.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(OPERATION_NAMES)}[$parameter["operation"]] }}`,
		description: 'Watch OpenAI usage and spend: estimate cost, count tokens, read usage and costs, route by budget, rate limits',
		defaults: { name: 'OpenAI Reliable Usage' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs,
		credentials: [
			{
				name: 'openAiReliableAdminApi',
				required: true,
				testedBy: 'openAiReliableAdminApiTest',
				displayOptions: { show: { operation: ADMIN_OPERATIONS } },
			},
			{
				name: 'openAiReliableApi',
				required: true,
				testedBy: 'openAiReliableApiTest',
				displayOptions: { show: { operation: API_KEY_OPERATIONS } },
			},
		],
		properties,
	};

	methods = {
		listSearch: { searchModels, searchKnownModels },
		credentialTest: {
			openAiReliableApiTest: testApiCredential,
			openAiReliableAdminApiTest: testAdminCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
