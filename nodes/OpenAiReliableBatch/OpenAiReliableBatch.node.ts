import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { testApiCredential } from '../shared/methods/credentialTest';
import { searchModels } from '../shared/methods/listSearch';
import { OPERATION_NAMES, properties, route } from './actions/router';

/** Get Results has two outputs (Done, Not Ready); the other operations one. */
const outputs: `={{${string}}}` = `={{ $parameter["operation"] === "getResults" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "Done" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Not Ready" }] : ["${NodeConnectionTypes.Main}"] }}`;

export class OpenAiReliableBatch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Reliable Batch',
		name: 'openAiReliableBatch',
		icon: { light: 'file:openAiReliableBatch.svg', dark: 'file:openAiReliableBatch.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(OPERATION_NAMES)}[$parameter["operation"]] }}`,
		description: "Send many items through OpenAI's Batch API at half the price, with each answer back on its item",
		defaults: { name: 'OpenAI Reliable Batch' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs,
		credentials: [{ name: 'openAiReliableApi', required: true, testedBy: 'openAiReliableApiTest' }],
		properties,
	};

	methods = {
		listSearch: { searchModels },
		credentialTest: { openAiReliableApiTest: testApiCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this);
	}
}
