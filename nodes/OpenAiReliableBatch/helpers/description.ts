/** Parameters several Batch operations share. */
import type { INodeProperties } from 'n8n-workflow';

import { attachmentsProperty } from '../../shared/chat/attachments';
import {
	apiProperty,
	chatOptionsProperty,
	historyProperty,
	messageProperties,
	modelProperty,
	outputOptions,
	responseFormatProperties,
} from '../../shared/chat/description';
import { requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { priceOverridesProperty } from '../../shared/pricing/overrides';

export const batchIdProperty: INodeProperties = {
	displayName: 'Batch ID',
	name: 'batchId',
	type: 'string',
	required: true,
	default: '={{ $json.batchId }}',
	placeholder: 'batch_abc123',
	description: 'The ID the Submit operation gave (its output field batchId)',
};

export const customIdProperty: INodeProperties = {
	displayName: 'Custom ID',
	name: 'customId',
	type: 'string',
	default: '',
	placeholder: '={{ $json.rowNumber }}',
	description:
		"An ID from your data (e.g. a row number) that each result carries as customId, to put it next to its row later. Must be unique per item. Empty: the item's position (item-0, item-1…).",
};

export const waitProperty: INodeProperties = {
	displayName: 'Waiting',
	name: 'waiting',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	options: [
		{
			displayName: 'Check Every (Seconds)',
			name: 'pollSeconds',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 1 },
			description: 'How often the batch status is checked while waiting',
		},
		{
			// Named apart from Request Settings → Max Wait (Seconds), the longest wait between two attempts.
			displayName: 'Give Up After (Minutes)',
			name: 'maxWaitMinutes',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0 },
			description:
				'How long this node waits for the batch to finish. OpenAI promises results within 24 hours; most batches finish far sooner. If the wait ends first, the batch goes on: collect it with Get Results.',
		},
	],
};

export const simplifyProperty: INodeProperties = {
	displayName: 'Simplify Output',
	name: 'simplifyOutput',
	type: 'boolean',
	default: true,
	description: 'Whether to give flat token counts instead of the full usage object and answer details',
};

/** What each item's request is made of: the Chat node's own fields (no Service Tier: a batch is its own tier). */
export function requestProperties(): INodeProperties[] {
	const options = chatOptionsProperty(outputOptions);
	return [
		modelProperty(),
		// Chat Completions by default, as this node has always sent; one batch calls one API.
		{
			...apiProperty,
			default: 'chatCompletions',
			description: 'Every item of a batch goes to the same API. The output fields are the same whichever answers.',
		},
		...messageProperties,
		attachmentsProperty,
		historyProperty,
		...responseFormatProperties,
		{ ...options, options: (options.options ?? []).filter((option) => option.name !== 'serviceTier') },
		customIdProperty,
		requestSettingsProperty({ spendCap: true }),
		priceOverridesProperty(),
	];
}
