import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readRequestSettings, requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { costOf, findPrice } from '../../shared/pricing/prices';
import { OpenAiClient } from '../../shared/transport/client';
import { collectAllPages } from '../../shared/transport/pagination';
import { dateRange, isoFromUnix, omit, roundUsd } from '../helpers';
import { runReport } from './report';
import { dateRangeProperties } from './reportFields';

const show = { operation: ['getUsage'] };

/** Largest page the API allows per bucket width, so reports need the fewest pages. */
export const USAGE_PAGE_LIMIT: Record<string, number> = { '1d': 31, '1h': 168, '1m': 1440 };

export const description: INodeProperties[] = [
	...dateRangeProperties(['getUsage']),
	{
		displayName: 'Bucket Width',
		name: 'bucketWidth',
		type: 'options',
		default: '1d',
		displayOptions: { show },
		options: [
			{ name: 'Day', value: '1d' },
			{ name: 'Hour', value: '1h' },
			{ name: 'Minute', value: '1m' },
		],
	},
	{
		displayName: 'Group By',
		name: 'groupBy',
		type: 'multiOptions',
		default: ['model'],
		displayOptions: { show },
		options: [
			{ name: 'API Key', value: 'api_key_id' },
			{ name: 'Batch', value: 'batch' },
			{ name: 'Model', value: 'model' },
			{ name: 'Project', value: 'project_id' },
			{ name: 'Service Tier', value: 'service_tier' },
			{ name: 'User', value: 'user_id' },
		],
	},
	{
		displayName: 'Only Models',
		name: 'models',
		type: 'string',
		default: '',
		placeholder: 'gpt-4o-mini, gpt-4o',
		displayOptions: { show },
		description: 'Optional, comma-separated',
	},
	{
		displayName: 'Only Project IDs',
		name: 'projectIds',
		type: 'string',
		default: '',
		placeholder: 'proj_abc, proj_def',
		displayOptions: { show },
		description: 'Optional, comma-separated',
	},
	{
		displayName: 'Output',
		name: 'usageOutput',
		type: 'options',
		default: 'buckets',
		displayOptions: { show },
		options: [
			{ name: 'One Item per Bucket and Group', value: 'buckets' },
			{ name: 'Summary: One Item per Group', value: 'summary' },
		],
	},
	requestSettingsProperty(false, { show }),
];

interface UsageResult {
	input_tokens?: number;
	output_tokens?: number;
	input_cached_tokens?: number;
	num_model_requests?: number;
	model?: string | null;
	project_id?: string | null;
	api_key_id?: string | null;
	user_id?: string | null;
	batch?: boolean | null;
	service_tier?: string | null;
}

interface UsageBucket {
	start_time: number;
	end_time: number;
	results?: UsageResult[];
}

function list(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

function groupFields(result: UsageResult): IDataObject {
	const fields: IDataObject = {};
	if (result.model) fields.model = result.model;
	if (result.project_id) fields.projectId = result.project_id;
	if (result.api_key_id) fields.apiKeyId = result.api_key_id;
	if (result.user_id) fields.userId = result.user_id;
	if (result.batch !== null && result.batch !== undefined) fields.batch = result.batch;
	if (result.service_tier) fields.serviceTier = result.service_tier;
	return fields;
}

function estimate(model: unknown, input: number, cached: number, output: number): number | null {
	if (typeof model !== 'string') return null;
	const match = findPrice(model);
	return match ? costOf({ inputTokens: input, cachedInputTokens: cached, outputTokens: output }, match.price).totalUsd : null;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const settings = readRequestSettings(this);
	const client = await OpenAiClient.create(this, 'openAiReliableAdminApi', settings.retry);
	return await runReport(this, client, async (itemIndex) => {
		const { start, end } = dateRange(this, itemIndex);
		const bucketWidth = this.getNodeParameter('bucketWidth', itemIndex, '1d') as string;
		const qs: IDataObject = { start_time: start, bucket_width: bucketWidth, limit: USAGE_PAGE_LIMIT[bucketWidth] ?? 31 };
		if (end !== undefined) qs.end_time = end;
		const groupBy = this.getNodeParameter('groupBy', itemIndex, []) as string[];
		if (groupBy.length) qs.group_by = groupBy;
		const models = list(this.getNodeParameter('models', itemIndex, ''));
		if (models.length) qs.models = models;
		const projects = list(this.getNodeParameter('projectIds', itemIndex, ''));
		if (projects.length) qs.project_ids = projects;

		const { data, pages } = await collectAllPages<UsageBucket>(client, '/organization/usage/completions', qs, itemIndex);
		const rows: IDataObject[] = [];
		for (const bucket of data) {
			for (const result of bucket.results ?? []) {
				const input = result.input_tokens ?? 0;
				const cached = result.input_cached_tokens ?? 0;
				const output = result.output_tokens ?? 0;
				rows.push({
					startTime: isoFromUnix(bucket.start_time),
					endTime: isoFromUnix(bucket.end_time),
					...groupFields(result),
					inputTokens: input,
					inputCachedTokens: cached,
					outputTokens: output,
					numModelRequests: result.num_model_requests ?? 0,
					estimatedCostUsd: estimate(result.model, input, cached, output),
				});
			}
		}
		if (this.getNodeParameter('usageOutput', itemIndex, 'buckets') === 'buckets') return rows;

		const groups = new Map<string, IDataObject>();
		const measures = ['startTime', 'endTime', 'inputTokens', 'inputCachedTokens', 'outputTokens', 'numModelRequests', 'estimatedCostUsd'];
		for (const row of rows) {
			const group = omit(row, measures);
			const key = JSON.stringify(group);
			const acc =
				groups.get(key) ??
				({ ...group, inputTokens: 0, inputCachedTokens: 0, outputTokens: 0, numModelRequests: 0, estimatedCostUsd: null } as IDataObject);
			acc.inputTokens = (acc.inputTokens as number) + (row.inputTokens as number);
			acc.inputCachedTokens = (acc.inputCachedTokens as number) + (row.inputCachedTokens as number);
			acc.outputTokens = (acc.outputTokens as number) + (row.outputTokens as number);
			acc.numModelRequests = (acc.numModelRequests as number) + (row.numModelRequests as number);
			if (typeof row.estimatedCostUsd === 'number') {
				acc.estimatedCostUsd = roundUsd(((acc.estimatedCostUsd as number | null) ?? 0) + row.estimatedCostUsd);
			}
			groups.set(key, acc);
		}
		const period = { from: isoFromUnix(start), to: end !== undefined ? isoFromUnix(end) : new Date().toISOString() };
		return [...groups.values()].map((group) => ({ ...group, ...period, buckets: data.length, pages }));
	});
}
