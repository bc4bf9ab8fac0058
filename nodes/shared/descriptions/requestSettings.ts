/**
 * The "Request Settings" collection, the same in every node that calls the API, its reader,
 * and the one way to open a node run's client with them. The defaults are declared once, in
 * the fields below, and the reader falls back to them.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { checkNumber, type ParameterContext } from '../parameters';
import type { RetrySettings } from '../http/backoff';
import { OpenAiClient, type ApiContext, type CredentialType } from '../transport/client';
import { moneyTypeOptions } from './money';

export interface RequestSettingsParts {
	/** Concurrency and the Requests per Minute Cap (nodes that send many items). */
	throughput?: boolean;
	/** The Requests per Minute Cap alone (the Chat Model: the Agent decides concurrency). */
	rateCap?: boolean;
	/** Max Spend per Execution (nodes that call a model). */
	spendCap?: boolean;
	/** When the Spend Cap Is Reached (nodes that send many items, one request each). */
	spendCapAction?: boolean;
	displayOptions?: INodeProperties['displayOptions'];
}

/** Every setting, with its default: the one place the defaults are declared. */
const FIELDS = {
	concurrency: {
		displayName: 'Concurrency',
		name: 'concurrency',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 1, maxValue: 100 },
		description: 'How many items are sent at the same time. Pacing from the rate-limit headers keeps this below your account limit.',
	},
	requestsPerMinute: {
		displayName: 'Requests per Minute Cap',
		name: 'requestsPerMinute',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description:
			'Your own ceiling on requests per minute, for sharing a key with other workflows. It holds in every second, across all executions in this n8n that use the same credential and cap. 0 means only the account limit applies.',
	},
	maxSpendUsd: {
		displayName: 'Max Spend per Execution (USD)',
		name: 'maxSpendUsd',
		type: 'number',
		default: 0,
		typeOptions: moneyTypeOptions(0),
		description:
			'No request is sent that could take this execution past this many dollars, counting every node of this package in it. Items not sent come out as error items that say so. 0 means no cap.',
	},
	onSpendCap: {
		displayName: 'When the Spend Cap Is Reached',
		name: 'onSpendCap',
		type: 'options',
		default: 'errorItems',
		options: [
			{
				name: 'Output Error Items',
				value: 'errorItems',
				description: 'Items not sent come out as error items (notSent: true) next to the answered ones, and the workflow goes on',
			},
			{
				name: 'Stop the Workflow',
				value: 'stop',
				description:
					"No more items are sent and the execution fails with the spend cap's message, so n8n's error workflow and the executions list show it. The answers already billed are kept in the error's details (answeredItems).",
			},
		],
		description: 'What happens to the items Max Spend per Execution does not allow',
	},
	keepRetryingMinutes: {
		displayName: 'Keep Retrying For (Minutes)',
		name: 'keepRetryingMinutes',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0, numberPrecision: 2 },
		description:
			'How long an item keeps retrying rate limits (429), server errors (5xx), timeouts and dropped connections, from its first attempt, before it fails. While the API is down, every item waits without spending its retries and one request at a time checks whether it is back. 5 minutes rides out most outages; 0 leaves it to Max Retries alone. Wrong keys, missing credit and invalid requests are never retried.',
	},
	maxRetries: {
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: 10,
		typeOptions: { minValue: 0, maxValue: 100 },
		description:
			'Add this to also limit the number of retries per item: it fails after this many or after Keep Retrying For, whichever comes first. Without it, Keep Retrying For alone decides. Checks while the API is down do not count.',
	},
	maxWaitSeconds: {
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0 },
		description: 'Longest single wait between two attempts, including waits the server asks for with retry-after',
	},
	timeoutSeconds: {
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		default: 300,
		typeOptions: { minValue: 1 },
		description: 'How long one attempt may take, answer included, before it is abandoned and retried (15 minutes by default on the Flex tier)',
	},
} satisfies Record<string, INodeProperties>;

type NumberField = { [K in keyof typeof FIELDS]: (typeof FIELDS)[K]['default'] extends number ? K : never }[keyof typeof FIELDS];

export const DEFAULT_CONCURRENCY = FIELDS.concurrency.default;
/** OpenAI suggests long timeouts for Flex, whose answers can take minutes. */
export const FLEX_TIMEOUT_MS = 900_000;

export function requestSettingsProperty(parts: RequestSettingsParts = {}): INodeProperties {
	const options: INodeProperties[] = [
		...(parts.throughput ? [FIELDS.concurrency, FIELDS.requestsPerMinute] : parts.rateCap ? [FIELDS.requestsPerMinute] : []),
		...(parts.spendCap ? [FIELDS.maxSpendUsd] : []),
		...(parts.spendCapAction ? [FIELDS.onSpendCap] : []),
		FIELDS.keepRetryingMinutes,
		FIELDS.maxRetries,
		FIELDS.maxWaitSeconds,
		FIELDS.timeoutSeconds,
	];
	return {
		displayName: 'Request Settings',
		name: 'requestSettings',
		type: 'collection',
		placeholder: 'Add Setting',
		default: {},
		...(parts.displayOptions ? { displayOptions: parts.displayOptions } : {}),
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

export interface RequestSettings {
	retry: RetrySettings;
	concurrency: number;
	/** 0: none. */
	requestsPerMinute: number;
	/** 0: no cap. */
	maxSpendUsd: number;
	/** What happens to the items the cap does not allow. */
	onSpendCap: SpendCapAction;
}

export type SpendCapAction = 'errorItems' | 'stop';

/**
 * Reads and checks the collection once per execution (the values are not per item), with
 * the same minimum and maximum the form shows, so an expression cannot go past them.
 */
export function readRequestSettings(ctx: ParameterContext, defaults: { timeoutMs?: number } = {}): RequestSettings {
	const raw = (ctx.getNodeParameter('requestSettings', 0, {}) ?? {}) as IDataObject;
	const read = (field: NumberField, min: number, integer = false, fallback: number = FIELDS[field].default) => {
		const typeOptions = FIELDS[field].typeOptions as { maxValue?: number };
		return checkNumber(ctx, 0, raw[field], { field: `Request Settings: ${FIELDS[field].displayName}`, min, max: typeOptions.maxValue, fallback, integer })!;
	};
	const keepRetryingMs = read('keepRetryingMinutes', 0) * 60_000 || Number.POSITIVE_INFINITY;
	const countAdded = raw.maxRetries !== undefined && raw.maxRetries !== '';
	return {
		retry: {
			// Max Retries not added: Keep Retrying For alone decides (with Keep Retrying For 0, the form's default count).
			maxRetries: countAdded || keepRetryingMs === Number.POSITIVE_INFINITY ? read('maxRetries', 0, true) : Number.POSITIVE_INFINITY,
			keepRetryingMs,
			maxWaitMs: read('maxWaitSeconds', 0) * 1000,
			timeoutMs: read('timeoutSeconds', 0.001, false, defaults.timeoutMs !== undefined ? defaults.timeoutMs / 1000 : FIELDS.timeoutSeconds.default) * 1000,
		},
		concurrency: read('concurrency', 1, true),
		requestsPerMinute: read('requestsPerMinute', 0),
		maxSpendUsd: read('maxSpendUsd', 0),
		onSpendCap: raw.onSpendCap === 'stop' ? 'stop' : 'errorItems',
	};
}

export interface OpenedClient {
	client: OpenAiClient;
	settings: RequestSettings;
}

/**
 * A node run's client, the one way: the node's Request Settings read once, the Flex tier's
 * longer Timeout applied (`flex`: the node asks for the Flex tier), the client created on the
 * credential.
 */
export async function openClient(ctx: ApiContext & ParameterContext, credentialType: CredentialType, options: { flex?: boolean } = {}): Promise<OpenedClient> {
	const settings = readRequestSettings(ctx, options.flex ? { timeoutMs: FLEX_TIMEOUT_MS } : {});
	const client = await OpenAiClient.create(ctx, credentialType, { ...settings.retry, capRpm: settings.requestsPerMinute });
	return { client, settings };
}

/** The model picker's own settings: it answers a person who waits, so it tries briefly. */
export const MODEL_SEARCH_SETTINGS: RetrySettings = { maxRetries: 2, maxWaitMs: 5_000, timeoutMs: 30_000, keepRetryingMs: 30_000 };
