import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readRequestSettings, requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { itemsFromOutcomes } from '../../shared/execution/output';
import { runItems } from '../../shared/execution/runItems';
import { costOf, findPrice, tokensFromUsage } from '../../shared/pricing/prices';
import { OpenAiClient } from '../../shared/transport/client';
import { SHAPES } from '../../shared/transport/shapes';
import type { RateLimitSnapshot } from '../../shared/transport/headers';
import { fieldError } from '../../shared/execution/parameters';

const show = { operation: ['rateLimits'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'rateLimitModel',
		type: 'string',
		default: 'gpt-4o-mini',
		displayOptions: { show },
		description:
			'Limits are per model. The check sends the smallest possible request (one word in, one token out), which costs a tiny fraction of a cent.',
	},
	requestSettingsProperty(false, { show }),
];

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
			const model = String(this.getNodeParameter('rateLimitModel', itemIndex, 'gpt-4o-mini') ?? '').trim();
			if (model === '' || /\s/.test(model)) throw fieldError(this, itemIndex, 'Model', `"${model}" is not a model ID`);
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
			});
			const price = findPrice(result.body.model ?? model);
			const tokens = tokensFromUsage(result.body.usage);
			const fields = rateLimitFields(result.rateLimit);
			return {
				model,
				...fields,
				headersPresent: fields.requests !== null || fields.tokens !== null,
				checkedAt: new Date().toISOString(),
				requestId: result.requestId ?? null,
				costUsd: price && tokens ? costOf(tokens, price.price).totalUsd : null,
			};
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail(), signal: client.signal },
	);
	return [itemsFromOutcomes(this, outcomes, client.signal)];
}
