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

export class OpenAiToolkitChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Toolkit Chat',
		name: 'openAiToolkitChat',
		icon: { light: 'file:openAiToolkitChat.svg', dark: 'file:openAiToolkitChat.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"Message " + ($parameter["model"].cachedResultName || $parameter["model"].value || "a model")}}',
		description:
			'Chat completions with built-in retry, rate-limit pacing, concurrency, and the cost of every answer',
		defaults: { name: 'OpenAI Toolkit Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openAiToolkitApi', required: true, testedBy: 'openAiToolkitApiTest' }],
		properties: complete.description,
	};

	methods = {
		listSearch: { searchModels },
		credentialTest: { openAiToolkitApiTest: testApiCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await complete.execute.call(this);
	}
}
