import { NodeConnectionTypes, NodeOperationError, type INodeType, type INodeTypeDescription, type ISupplyDataFunctions, type SupplyData } from 'n8n-workflow';

import { apiProperty, builtinToolsProperty, chatOptionsProperty, modelProperty, responsesOptions } from '../shared/chat/description';
import { chooseWire, readBuiltinTools, readStorage } from '../shared/chat/request';
import { openClient, requestSettingsProperty } from '../shared/descriptions/requestSettings';
import { testApiCredential } from '../shared/methods/credentialTest';
import { searchModels } from '../shared/methods/listSearch';
import { modelParameter } from '../shared/parameters';
import { priceOverridesProperty, readPriceOverrides } from '../shared/pricing/overrides';
import { readCallSettings } from '../shared/model/call';
import { reliableChatModelClass } from './model';
import { withCallFigures } from './runData';

/**
 * A chat model for n8n's AI Agent and chains, with the package's retry, shared rate limit,
 * spend cap and cost. Needs n8n 2.x with @n8n/ai-node-sdk (2.41.1 ships it).
 */
export class OpenAiReliableChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Reliable Chat Model',
		name: 'openAiReliableChatModel',
		icon: { light: 'file:openAiReliableChatModel.svg', dark: 'file:openAiReliableChatModel.dark.svg' },
		group: ['transform'],
		version: [1],
		subtitle: '={{ ($parameter["model"] && ($parameter["model"].cachedResultName || $parameter["model"].value)) || $parameter["model"] }}',
		description: 'OpenAI chat model for the AI Agent and chains, with built-in retry, rate-limit pacing, a spend cap and the cost of every call',
		defaults: { name: 'OpenAI Reliable Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'openAiReliableApi', required: true, testedBy: 'openAiReliableApiTest' }],
		properties: [
			modelProperty(),
			// Chat Completions by default, as this node has always sent; Auto and Responses on request.
			{ ...apiProperty, default: 'chatCompletions' },
			builtinToolsProperty,
			chatOptionsProperty([
				{
					displayName: 'Response Format',
					name: 'responseFormat',
					type: 'options',
					default: 'text',
					options: [
						{ name: 'Text', value: 'text' },
						{ name: 'JSON Object', value: 'json_object', description: 'Valid JSON; mention JSON in the prompt' },
					],
				},
				// The Agent continues its conversation itself, so of the Responses options only these two.
				...responsesOptions.filter((option) => option.name === 'background' || option.name === 'store'),
			]),
			requestSettingsProperty({ rateCap: true, spendCap: true }),
			priceOverridesProperty(),
		],
	};

	methods = {
		listSearch: { searchModels },
		credentialTest: { openAiReliableApiTest: testApiCredential },
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		let sdk: typeof import('@n8n/ai-node-sdk');
		try {
			sdk = await import('@n8n/ai-node-sdk');
		} catch {
			throw new NodeOperationError(this.getNode(), 'This n8n has no AI node SDK (@n8n/ai-node-sdk), which the OpenAI Reliable Chat Model needs', {
				itemIndex,
				description: 'Update n8n to 2.x (2.41 or newer). The other nodes of this package work without it.',
			});
		}
		const model = modelParameter(this, itemIndex);
		const settings = readCallSettings(this, itemIndex);
		const { client, settings: requestSettings } = await openClient(this, 'openAiReliableApi', { flex: settings.serviceTier === 'flex' });
		const builtin = readBuiltinTools(this, itemIndex);
		const wire = chooseWire(this, itemIndex, { model, settings, builtin: builtin.tools }, client);
		const raw = (this.getNodeParameter('options', itemIndex, {}) ?? {}) as { responseFormat?: string; background?: unknown; store?: unknown };
		const { store, background } = readStorage(this, itemIndex, { model, wire, options: raw });
		const traced = withCallFigures(this);
		const ReliableChatModel = reliableChatModelClass(sdk);
		const chatModel = new ReliableChatModel({
			ctx: this,
			client,
			model,
			settings,
			format: raw.responseFormat === 'json_object' ? { type: 'json_object' } : { type: 'text' },
			overrides: readPriceOverrides(this, itemIndex),
			capUsd: requestSettings.maxSpendUsd,
			wire,
			builtinTools: builtin.tools,
			...(builtin.maxToolCalls !== undefined ? { maxToolCalls: builtin.maxToolCalls } : {}),
			...(store !== undefined ? { store } : {}),
			background,
			itemIndex,
			report: traced.report,
		});
		return sdk.supplyModel(traced.ctx, chatModel);
	}
}
