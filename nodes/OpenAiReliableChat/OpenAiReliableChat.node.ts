import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { searchModels } from '../shared/methods/listSearch';
import { testApiCredential } from '../shared/transport/credentialTest';
import * as complete from './actions/complete.operation';

export class OpenAiReliableChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Reliable Chat',
		name: 'openAiReliableChat',
		icon: { light: 'file:openAiReliableChat.svg', dark: 'file:openAiReliableChat.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"Message " + ($parameter["model"].cachedResultName || $parameter["model"].value || "a model")}}',
		description:
			'Chat completions with built-in retry, rate-limit pacing, concurrency, and the cost of every answer',
		defaults: { name: 'OpenAI Reliable Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openAiReliableApi', required: true, testedBy: 'openAiReliableApiTest' }],
		properties: complete.description,
	};

	methods = {
		listSearch: { searchModels },
		credentialTest: { openAiReliableApiTest: testApiCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await complete.execute.call(this);
	}
}
