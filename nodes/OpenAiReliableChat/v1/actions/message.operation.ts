/** Message a Model: one model call per input item, on Chat Completions or Responses. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { attachmentsProperty, readAttachments } from '../../../shared/chat/attachments';
import { answerFields, checkAnswerStatus, parseJsonContent, readAnswer } from '../../../shared/chat/answer';
import {
	apiProperty,
	builtinToolsProperty,
	chatOptionsProperty,
	historyProperty,
	messageProperties,
	modelProperty,
	outputOptions,
	responseFormatProperties,
	responsesOptions,
} from '../../../shared/chat/description';
import { buildChatRequest } from '../../../shared/chat/request';
import { openClient, requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { finishRun } from '../../../shared/execution/finish';
import { isFatal, readOutputOptions } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { roundUsd } from '../../../shared/format';
import { serviceTierOption } from '../../../shared/model/call';
import { callModel } from '../../../shared/model/background';
import { RESPONSES } from '../../../shared/model/responses';
import { priceOverridesProperty } from '../../../shared/pricing/overrides';
import { SpendCapReachedError } from '../../../shared/transport/errors';

/**
 * The node's fields at a node version. Version 1 sends Chat Completions unless API says
 * otherwise (its saved workflows keep what they did); version 2 picks the API itself (Auto).
 */
export function description(version: number): INodeProperties[] {
	return [
		modelProperty(),
		{ ...apiProperty, default: version >= 2 ? 'auto' : 'chatCompletions' },
		...messageProperties,
		attachmentsProperty,
		historyProperty,
		...responseFormatProperties,
		builtinToolsProperty,
		chatOptionsProperty([...outputOptions, ...responsesOptions]),
		requestSettingsProperty({ throughput: true, spendCap: true, spendCapAction: true }),
		priceOverridesProperty(),
	];
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const output = readOutputOptions(this);
	const options = (this.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;
	const simplify = options.simplifyOutput !== false;
	const { client, settings } = await openClient(this, 'openAiReliableApi', { flex: serviceTierOption(this) === 'flex' });

	const outcomes = await runItems(
		items.length,
		async (itemIndex) => {
			const request = await buildChatRequest(this, itemIndex, {
				isOpenAi: client.isOpenAi,
				capUsd: settings.maxSpendUsd,
				attachments: async (model) => await readAttachments(this, itemIndex, model),
			});
			const { call } = request;
			const result = await callModel(client, call, itemIndex, request.background);
			const answer = readAnswer(call.wire.read(result.body), {
				model: call.input.model,
				overrides: call.overrides,
				tier: call.tier,
				responses: call.wire === RESPONSES,
			});
			const fields = answerFields(answer, result, { simplify, executionCostUsd: roundUsd(client.spend.spentUsd) });
			checkAnswerStatus(this.getNode(), itemIndex, answer, fields);
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
