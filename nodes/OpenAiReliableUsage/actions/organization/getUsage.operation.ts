/** Get Usage: the organization's token usage from the Usage API (admin key), every page. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { roundUsd } from '../../../shared/format';
import { listParameter } from '../../../shared/parameters';
import { costOfUsage, tierOf } from '../../../shared/pricing/prices';
import { collectAllPages } from '../../../shared/transport/pagination';
import { dateRange, dateRangeProperties, isoFromUnix, period } from '../../helpers/dates';
import { groupRows, runAdminReport } from '../../helpers/reports';

/** Largest page the API allows per bucket width, so reports need the fewest pages. */
export const USAGE_PAGE_LIMIT: Record<string, number> = { '1d': 31, '1h': 168, '1m': 1440 };

const properties: INodeProperties[] = [
	...dateRangeProperties,
	{
		displayName: 'Bucket Width',
		name: 'bucketWidth',
		type: 'options',
		default: '1d',
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
		description: 'Optional, comma-separated',
	},
	{
		displayName: 'Only Project IDs',
		name: 'projectIds',
		type: 'string',
		default: '',
		placeholder: 'proj_abc, proj_def',
		description: 'Optional, comma-separated',
	},
	{
		displayName: 'Output',
		name: 'usageOutput',
		type: 'options',
		default: 'buckets',
		options: [
			{ name: 'One Item per Bucket and Group', value: 'buckets' },
			{ name: 'Summary: One Item per Group', value: 'summary' },
		],
	},
	requestSettingsProperty(),
];

export const description = updateDisplayOptions({ show: { resource: ['organization'], operation: ['getUsage'] } }, properties);

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

/** What a row cost, when it is grouped by model: at the batch price for batch rows, else at its service tier's. */
function estimate(result: UsageResult): number | null {
	if (typeof result.model !== 'string') return null;
	const usage = {
		input_tokens: result.input_tokens ?? 0,
		output_tokens: result.output_tokens ?? 0,
		input_tokens_details: { cached_tokens: result.input_cached_tokens ?? 0 },
	};
	const cost = costOfUsage(result.model, usage, {}, result.batch ? 'batch' : tierOf(result.service_tier));
	return cost ? cost.totalUsd : null;
}

const MEASURES = ['startTime', 'endTime', 'inputTokens', 'inputCachedTokens', 'outputTokens', 'numModelRequests', 'estimatedCostUsd'];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runAdminReport(this, async (client, itemIndex) => {
		const { start, end } = dateRange(this, itemIndex);
		const bucketWidth = this.getNodeParameter('bucketWidth', itemIndex, '1d') as string;
		const qs: IDataObject = { start_time: start, bucket_width: bucketWidth, limit: USAGE_PAGE_LIMIT[bucketWidth] ?? 31 };
		if (end !== undefined) qs.end_time = end;
		const groupBy = this.getNodeParameter('groupBy', itemIndex, []) as string[];
		if (groupBy.length) qs.group_by = groupBy;
		const models = listParameter(this, 'models', itemIndex);
		if (models.length) qs.models = models;
		const projects = listParameter(this, 'projectIds', itemIndex);
		if (projects.length) qs.project_ids = projects;

		const { data, pages } = await collectAllPages<UsageBucket>(client, '/organization/usage/completions', qs, itemIndex);
		const rows: IDataObject[] = [];
		for (const bucket of data) {
			for (const result of bucket.results ?? []) {
				rows.push({
					startTime: isoFromUnix(bucket.start_time),
					endTime: isoFromUnix(bucket.end_time),
					...groupFields(result),
					inputTokens: result.input_tokens ?? 0,
					inputCachedTokens: result.input_cached_tokens ?? 0,
					outputTokens: result.output_tokens ?? 0,
					numModelRequests: result.num_model_requests ?? 0,
					estimatedCostUsd: estimate(result),
				});
			}
		}
		if (this.getNodeParameter('usageOutput', itemIndex, 'buckets') === 'buckets') return rows;

		const sum = (a: unknown, b: unknown) => (a as number) + (b as number);
		const groups = groupRows(
			rows,
			MEASURES,
			(acc, row) => {
				for (const key of ['inputTokens', 'inputCachedTokens', 'outputTokens', 'numModelRequests']) acc[key] = sum(acc[key], row[key]);
				if (typeof row.estimatedCostUsd === 'number') {
					acc.estimatedCostUsd = roundUsd(((acc.estimatedCostUsd as number | null) ?? 0) + row.estimatedCostUsd);
				}
			},
			(group) => ({ ...group, inputTokens: 0, inputCachedTokens: 0, outputTokens: 0, numModelRequests: 0, estimatedCostUsd: null }),
		);
		return groups.map((group) => ({ ...group, ...period(start, end), buckets: data.length, pages }));
	});
}
