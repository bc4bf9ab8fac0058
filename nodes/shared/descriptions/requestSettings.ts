import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from '../transport/backoff';

export const DEFAULT_CONCURRENCY = 5;

/** The "Request Settings" collection, the same in every node that calls the API. */
export function requestSettingsProperty(withThroughput: boolean, displayOptions?: INodeProperties['displayOptions']): INodeProperties {
	const throughput: INodeProperties['options'] = withThroughput
		? [
				{
					displayName: 'Concurrency',
					name: 'concurrency',
					type: 'number',
					default: DEFAULT_CONCURRENCY,
					typeOptions: { minValue: 1, maxValue: 100 },
					description:
						'How many items are sent at the same time. Pacing from the rate-limit headers keeps this below your account limit.',
				},
				{
					displayName: 'Requests per Minute Cap',
					name: 'requestsPerMinute',
					type: 'number',
					default: 0,
					typeOptions: { minValue: 0 },
					description:
						'Your own ceiling on requests per minute, for sharing a key with other workflows. 0 means only the account limit applies.',
				},
			]
		: [];
	return {
		displayName: 'Request Settings',
		name: 'requestSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options: [
			...throughput,
			{
				displayName: 'Max Retries',
				name: 'maxRetries',
				type: 'number',
				default: 5,
				typeOptions: { minValue: 0, maxValue: 20 },
				description:
					'Retries per item for rate limits (429), server errors (5xx), timeouts and dropped connections. Wrong keys, missing credit and invalid requests are never retried.',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 0 },
				description:
					'Longest single wait between two attempts, including waits the server asks for with retry-after',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				default: 300,
				typeOptions: { minValue: 1 },
				description: 'How long one attempt may take before it is abandoned and retried',
			},
		],
	};
}

export interface RequestSettings {
	retry: RetrySettings;
	concurrency: number;
	requestsPerMinute: number;
}

/** Reads and checks the collection once per execution (the values are not per item). */
export function readRequestSettings(ctx: IExecuteFunctions): RequestSettings {
	const raw = ctx.getNodeParameter('requestSettings', 0, {}) as Record<string, unknown>;
	const labels: Record<string, string> = {
		maxRetries: 'Max Retries',
		maxWaitSeconds: 'Max Wait (Seconds)',
		timeoutSeconds: 'Timeout (Seconds)',
		concurrency: 'Concurrency',
		requestsPerMinute: 'Requests per Minute Cap',
	};
	const number = (name: string, fallback: number, min: number): number => {
		const value = raw[name];
		if (value === undefined || value === null || value === '') return fallback;
		const n = Number(value);
		if (!Number.isFinite(n) || n < min) {
			throw new NodeOperationError(ctx.getNode(), `Request Settings: "${labels[name]}" must be a number of at least ${min}`, {
				itemIndex: 0,
			});
		}
		return n;
	};
	return {
		retry: {
			maxRetries: Math.floor(number('maxRetries', DEFAULT_RETRY_SETTINGS.maxRetries, 0)),
			maxWaitMs: number('maxWaitSeconds', DEFAULT_RETRY_SETTINGS.maxWaitMs / 1000, 0) * 1000,
			timeoutMs: number('timeoutSeconds', DEFAULT_RETRY_SETTINGS.timeoutMs / 1000, 0.001) * 1000,
		},
		concurrency: Math.floor(number('concurrency', DEFAULT_CONCURRENCY, 1)),
		requestsPerMinute: number('requestsPerMinute', 0, 0),
	};
}
