/** Get Rate Limits: the key's limits and what remains, from the headers of the smallest request. */
import {
	updateDisplayOptions,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { modelProperty } from '../../../shared/chat/description';
import { readRequestSettings, requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { finishRun } from '../../../shared/execution/finish';
import { runItems } from '../../../shared/execution/runItems';
import { modelParameter } from '../../../shared/parameters';
import { spendGuard } from '../../../shared/pricing/guard';
import { OpenAiClient } from '../../../shared/transport/client';
import type { RateLimitSnapshot } from '../../../shared/transport/headers';
import { SHAPES } from '../../../shared/transport/shapes';

const properties: INodeProperties[] = [
	modelProperty({
		name: 'rateLimitModel',
		description:
			'Limits are per model. The check sends the smallest possible request (one word in, one token out), which costs a tiny fraction of a cent.',
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
	const settings = readRequestSettings(this);
	const client = await OpenAiClient.create(this, 'openAiReliableApi', settings.retry);
	const outcomes = await runItems(
		this.getInputData().length,
		async (itemIndex) => {
			const model = modelParameter(this, itemIndex, { name: 'rateLimitModel' });
			const result = await client.call<{ usage?: unknown; model?: string }>({
				method: 'POST',
				path: '/chat/completions',
				body: {
					model,
					messages: [{ role: 'user', content: 'Hi' }],
					[client.isOpenAi ? 'max_completion_tokens' : 'max_tokens']: 1,
				},
				itemIndex,
				model,
				shape: SHAPES.chatCompletion,
				cost: spendGuard(this, itemIndex, { model, inputTokens: 9, maxOutputTokens: 1, tier: 'standard', overrides: {}, capUsd: 0 }),
			});
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
