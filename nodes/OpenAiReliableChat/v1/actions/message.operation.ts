/** Message a Model: one chat completion per input item. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { attachmentsProperty, readAttachments } from '../../../shared/chat/attachments';
import { answerFields, parseJsonContent, readAnswer, type ChatCompletion } from '../../../shared/chat/answer';
import {
	chatOptionsProperty,
	historyProperty,
	messageProperties,
	modelProperty,
	outputOptions,
	responseFormatProperties,
} from '../../../shared/chat/description';
import { buildChatRequest, pacingTokens, serviceTierOption } from '../../../shared/chat/request';
import { FLEX_TIMEOUT_MS, readRequestSettings, requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { finishRun } from '../../../shared/execution/finish';
import { isFatal, readOutputOptions } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { roundUsd } from '../../../shared/format';
import { spendGuard } from '../../../shared/pricing/guard';
import { priceOverridesProperty } from '../../../shared/pricing/overrides';
import { OpenAiClient } from '../../../shared/transport/client';
import { SpendCapReachedError } from '../../../shared/transport/errors';
import { SHAPES } from '../../../shared/transport/shapes';

export const description: INodeProperties[] = [
	modelProperty(),
	...messageProperties,
	attachmentsProperty,
	historyProperty,
	...responseFormatProperties,
	chatOptionsProperty(outputOptions),
	requestSettingsProperty({ throughput: true, spendCap: true, spendCapAction: true }),
	priceOverridesProperty(),
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const flex = serviceTierOption(this) === 'flex';
	const settings = readRequestSettings(this, flex ? { timeoutMs: FLEX_TIMEOUT_MS } : {});
	const output = readOutputOptions(this);
	const options = (this.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;
	const simplify = options.simplifyOutput !== false;
	const client = await OpenAiClient.create(this, 'openAiReliableApi', { ...settings.retry, capRpm: settings.requestsPerMinute });

	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const request = await buildChatRequest(this, itemIndex, {
				isOpenAi: client.isOpenAi,
				attachments: async (model) => await readAttachments(this, itemIndex, model),
			});
			const cost = spendGuard(this, itemIndex, {
				model: request.model,
				inputTokens: request.promptTokens,
				maxOutputTokens: request.maxOutputTokens,
				tier: request.tier,
				overrides: request.overrides,
				capUsd: settings.maxSpendUsd,
			});
			const result = await client.call<ChatCompletion>({
				method: 'POST',
				path: '/chat/completions',
				body: request.body,
				itemIndex,
				model: request.model,
				estimatedTokens: pacingTokens(request),
				shape: SHAPES.chatCompletion,
				cost,
			});
			const answer = readAnswer(result.body, request);
			const fields = answerFields(answer, result, { simplify, executionCostUsd: roundUsd(client.spend.spentUsd) });
			if (request.attachments) fields.attachments = request.attachments as unknown as IDataObject[];
			if (request.tokenNote) fields.attachmentNote = request.tokenNote;
			return request.jsonOutput ? parseJsonContent(this.getNode(), itemIndex, answer, fields) : fields;
		},
		{
			concurrency: settings.concurrency,
			continueOnFail: this.continueOnFail(),
			signal: client.signal,
			isFatal,
			stopsRun: (error) => settings.onSpendCap === 'stop' && error instanceof SpendCapReachedError,
		},
	);
	return [finishRun(this, client, outcomes, output, settings.onSpendCap)];
}
