/** Count Tokens: exact tokens of a text or a messages array, with the input cost, before sending. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { attachmentsProperty, readAttachments } from '../../../shared/chat/attachments';
import { modelProperty } from '../../../shared/chat/description';
import { readMessages } from '../../../shared/chat/messages';
import { itemsFromOutcomes } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { formatUsd } from '../../../shared/format';
import { jsonParameter, modelParameter, numberParameter, textParameter } from '../../../shared/parameters';
import { offlinePrice, priceOverridesProperty, unknownModelProperty, unknownModelWarning } from '../../../shared/pricing/overrides';
import { costOf } from '../../../shared/pricing/prices';
import { countChatTokens, encodingForModel, getEncoding } from '../../../shared/tokenizer';

const properties: INodeProperties[] = [
	{
		displayName: 'Count',
		name: 'countInput',
		type: 'options',
		default: 'text',
		options: [
			{ name: 'Text', value: 'text', description: 'A piece of text, e.g. a prompt' },
			{
				name: 'Chat Messages',
				value: 'messages',
				description: 'A messages array as sent to chat completions, with the per-message framing tokens',
			},
		],
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		default: '',
		typeOptions: { rows: 4 },
		displayOptions: { show: { countInput: ['text'] } },
		description: 'The text to count, usually an expression that reads the prompt from the incoming item',
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messages',
		type: 'json',
		default: '={{ $json.messages }}',
		displayOptions: { show: { countInput: ['messages'] } },
		description: 'An array like [{"role": "system", "content": "…"}, {"role": "user", "content": "…"}]',
	},
	{
		...attachmentsProperty,
		description: 'Images and PDFs to count with the text, as the Chat node would send them (images exactly from their size; PDFs as an estimate)',
	},
	modelProperty({
		name: 'countModel',
		searchMethod: 'searchKnownModels',
		description: 'Decides the encoding (o200k_base for GPT-4o and newer, cl100k_base for GPT-4 and GPT-3.5) and the price',
	}),
	{
		displayName: 'Expected Output Tokens',
		name: 'expectedOutputTokens',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Optional: an answer length to include in estimatedCostUsd (e.g. your Max Tokens)',
	},
	priceOverridesProperty(),
	unknownModelProperty,
];

export const description = updateDisplayOptions({ show: { resource: ['cost'], operation: ['countTokens'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	let emptyTexts = 0;
	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const model = modelParameter(this, itemIndex, { name: 'countModel', offline: true });
			const encodingName = encodingForModel(model);
			const encoding = await getEncoding(encodingName);
			const mode = this.getNodeParameter('countInput', itemIndex, 'text') as string;
			const attachments = await readAttachments(this, itemIndex, model, { offline: true });
			const result: IDataObject = {};
			let tokens: number;
			if (mode === 'messages') {
				const messages = readMessages(this, itemIndex, jsonParameter(this, 'messages', 'Messages (JSON)', itemIndex, true), {
					field: 'Messages (JSON)',
					offline: true,
				});
				if (messages.length === 0) result.warning = 'The messages array is empty: nothing was counted.';
				tokens = countChatTokens(encoding, messages);
			} else {
				const text = textParameter(this, 'text', 'Text', itemIndex, true);
				if (text.trim() === '' && !attachments) {
					emptyTexts++;
					result.warning = 'The text is empty: check that the expression finds text in this item.';
				}
				tokens = encoding.count(text);
			}
			if (attachments) {
				Object.assign(result, { textTokens: tokens, attachmentTokens: attachments.tokens, attachments: attachments.files });
				if (attachments.note) result.attachmentNote = attachments.note;
				tokens += attachments.tokens;
			}
			const expected = numberParameter(this, 'expectedOutputTokens', itemIndex, {
				field: 'Expected Output Tokens',
				min: 0,
				fallback: 0,
				integer: true,
				offline: true,
			})!;
			Object.assign(result, { tokenCount: tokens, encoding: encodingName, tokenModel: model });
			const match = offlinePrice(this, itemIndex, model);
			if (!match) return { ...result, estimatedInputCostUsd: 0, estimatedCostUsd: 0, costWarning: unknownModelWarning(model) };
			const input = costOf({ inputTokens: tokens, outputTokens: 0 }, match.price).totalUsd;
			const total = costOf({ inputTokens: tokens, outputTokens: expected }, match.price).totalUsd;
			return { ...result, estimatedInputCostUsd: input, estimatedCostUsd: total, estimatedCost: formatUsd(total) };
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail() },
	);
	if (emptyTexts > 0 && typeof this.addExecutionHints === 'function') {
		this.addExecutionHints({
			message: `${emptyTexts} of ${items.length} items had an empty Text, counted as 0 tokens. Check the expression in Text.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	return [itemsFromOutcomes(this, outcomes, undefined)];
}
