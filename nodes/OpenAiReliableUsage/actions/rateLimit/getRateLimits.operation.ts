/** Get Rate Limits: the key's limits and what remains, from the headers of the smallest request. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { modelProperty } from '../../../shared/chat/description';
import { openClient, requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { finishRun } from '../../../shared/execution/finish';
import { runItems } from '../../../shared/execution/runItems';
import { modelParameter } from '../../../shared/parameters';
import type { RateLimitSnapshot } from '../../../shared/http/headers';
import { buildModelCall, sendOptions } from '../../../shared/model/call';

const properties: INodeProperties[] = [
	modelProperty({
		name: 'rateLimitModel',
		description: 'Limits are per model. The check sends the smallest possible request (one word in, one token out), which costs a tiny fraction of a cent.',
	}),
	requestSettingsProperty(),
];

export const description = updateDisplayOptions({ show: { resource: ['rateLimit'], operation: ['getRateLimits'] } }, properties);

function describeLimit(limit?: number, remaining?: number, resetMs?: number, now = Date.now()): IDataObject | null {
	if (limit === undefined && remaining === undefined && resetMs === undefined) return null;
	return {
		limit: limit ?? null,
		remaining: remaining ?? null,
		percentRemaining: limit && remaining !== undefined ? Math.round((remaining / limit) * 10_000) / 100 : null,
		resetMs: resetMs ?? null,
		resetsAt: resetMs !== undefined ? new Date(now + resetMs).toISOString() : null,
	};
}

export function rateLimitFields(snapshot: RateLimitSnapshot): IDataObject {
	return {
		requests: describeLimit(snapshot.limitRequests, snapshot.remainingRequests, snapshot.resetRequestsMs),
		tokens: describeLimit(snapshot.limitTokens, snapshot.remainingTokens, snapshot.resetTokensMs),
	};
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client } = await openClient(this, 'openAiReliableApi');
	const outcomes = await runItems(
		this.getInputData().length,
		async (itemIndex) => {
			const model = modelParameter(this, itemIndex, { name: 'rateLimitModel' });
			// The smallest request there is: one word in, one token out, through the one model-call builder.
			const call = await buildModelCall(
				this,
				itemIndex,
				{ model, messages: [{ role: 'user', content: 'Hi' }], settings: { serviceTier: 'auto', maxOutputTokens: 1 }, format: { type: 'text' } },
				{ isOpenAi: client.isOpenAi, capUsd: 0, overrides: {} },
			);
			const result = await client.call(sendOptions(call, itemIndex, { isOpenAi: client.isOpenAi }));
			const fields = rateLimitFields(result.rateLimit);
			return {
				model,
				...fields,
				headersPresent: fields.requests !== null || fields.tokens !== null,
				checkedAt: new Date().toISOString(),
				requestId: result.requestId ?? null,
				costUsd: result.billedUsd ?? null,
			};
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail(), signal: client.signal },
	);
	return [finishRun(this, client, outcomes)];
}
