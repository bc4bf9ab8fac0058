import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { testApiCredential } from '../../shared/methods/credentialTest';
import { searchModels } from '../../shared/methods/listSearch';
import * as message from './actions/message.operation';

export class OpenAiReliableChatV1 implements INodeType {
	description: INodeTypeDescription;

	/** Versions 1 and 2 share this class: they differ only in the API field's default (see the operation's description). */
	constructor(baseDescription: INodeTypeBaseDescription, version = 1) {
		this.description = {
			...baseDescription,
			version,
			// The editor gives a model picker's value as the ID; the object form has its cached name.
			subtitle: '={{ ($parameter["model"] && ($parameter["model"].cachedResultName || $parameter["model"].value)) || $parameter["model"] }}',
			defaults: { name: 'OpenAI Reliable Chat' },
			usableAsTool: true,
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'openAiReliableApi', required: true, testedBy: 'openAiReliableApiTest' }],
			properties: message.description(version),
		};
	}

	methods = {
		listSearch: { searchModels },
		credentialTest: { openAiReliableApiTest: testApiCredential },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await message.execute.call(this);
	}
}
