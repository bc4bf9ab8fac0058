/** Get Usage: the organization's token usage, or its built-in tool calls, from the Usage API (admin key), every page. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { roundUsd } from '../../../shared/format';
import { listParameter } from '../../../shared/parameters';
import { costOfUsage, tierOf, toolFeesOf } from '../../../shared/pricing/prices';
import { collectAllPages } from '../../../shared/transport/pagination';
import { dateRange, dateRangeProperties, isoFromUnix, period } from '../../helpers/dates';
import { groupRows, runAdminReport } from '../../helpers/reports';

/** Largest page the API allows per bucket width, so reports need the fewest pages. */
export const USAGE_PAGE_LIMIT: Record<string, number> = { '1d': 31, '1h': 168, '1m': 1440 };

/** What the Usage API reports on: model tokens, or one built-in tool's calls (each its own endpoint). */
type UsageOf = 'completions' | 'webSearchCalls' | 'fileSearchCalls' | 'codeInterpreterSessions';

const groupByOption = {
	apiKey: { name: 'API Key', value: 'api_key_id' },
	project: { name: 'Project', value: 'project_id' },
	user: { name: 'User', value: 'user_id' },
	model: { name: 'Model', value: 'model' },
};

/** Each kind's Group By field, with the groupings its endpoint accepts (OpenAI's API reference, Usage). */
const groupByProperties: INodeProperties[] = [
	{
		displayName: 'Group By',
		name: 'groupBy',
		type: 'multiOptions',
		default: ['model'],
		displayOptions: { show: { usageOf: ['completions'] } },
		options: [
			groupByOption.apiKey,
			{ name: 'Batch', value: 'batch' },
			groupByOption.model,
			groupByOption.project,
			{ name: 'Service Tier', value: 'service_tier' },
			groupByOption.user,
		],
	},
	{
		displayName: 'Group By',
		name: 'webSearchGroupBy',
		type: 'multiOptions',
		default: ['model'],
		displayOptions: { show: { usageOf: ['webSearchCalls'] } },
		options: [groupByOption.apiKey, { name: 'Search Context Size', value: 'context_level' }, groupByOption.model, groupByOption.project, groupByOption.user],
	},
	{
		displayName: 'Group By',
		name: 'fileSearchGroupBy',
		type: 'multiOptions',
		default: [],
		displayOptions: { show: { usageOf: ['fileSearchCalls'] } },
		options: [groupByOption.apiKey, groupByOption.project, groupByOption.user, { name: 'Vector Store', value: 'vector_store_id' }],
	},
	{
		displayName: 'Group By',
		name: 'codeInterpreterGroupBy',
		type: 'multiOptions',
		default: [],
		displayOptions: { show: { usageOf: ['codeInterpreterSessions'] } },
		options: [groupByOption.project],
	},
];

const properties: INodeProperties[] = [
	...dateRangeProperties,
	{
		displayName: 'Usage Of',
		name: 'usageOf',
		type: 'options',
		default: 'completions',
		description: "What to report: the models' tokens, or the calls of one built-in tool of the Responses API (each billed per call, on top of tokens)",
		options: [
			{ name: 'Model Tokens', value: 'completions', description: 'Input, cached and output tokens, and model requests' },
			{ name: 'Web Search Calls', value: 'webSearchCalls', description: "Searches; their content's tokens are in Model Tokens" },
			{ name: 'File Search Calls', value: 'fileSearchCalls' },
			{ name: 'Code Interpreter Sessions', value: 'codeInterpreterSessions', description: 'Containers' },
		],
	},
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
	...groupByProperties,
	{
		displayName: 'Only Models',
		name: 'models',
		type: 'string',
		default: '',
		placeholder: 'gpt-4o-mini, gpt-4o',
		description: 'Optional, comma-separated',
		displayOptions: { show: { usageOf: ['completions', 'webSearchCalls'] } },
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
	num_requests?: number;
	num_sessions?: number;
	model?: string | null;
	project_id?: string | null;
	api_key_id?: string | null;
	user_id?: string | null;
	batch?: boolean | null;
	service_tier?: string | null;
	vector_store_id?: string | null;
	context_level?: string | null;
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
	if (result.vector_store_id) fields.vectorStoreId = result.vector_store_id;
	if (result.context_level) fields.searchContextSize = result.context_level;
	return fields;
}

/** What a token row cost, when it is grouped by model: at the batch price for batch rows, else at its service tier's. */
function tokenCost(result: UsageResult): number | null {
	if (typeof result.model !== 'string') return null;
	const usage = {
		input_tokens: result.input_tokens ?? 0,
		output_tokens: result.output_tokens ?? 0,
		input_tokens_details: { cached_tokens: result.input_cached_tokens ?? 0 },
	};
	const cost = costOfUsage(result.model, usage, {}, result.batch ? 'batch' : tierOf(result.service_tier));
	return cost ? cost.totalUsd : null;
}

/** One kind of usage: its endpoint, its Group By field, its counts (output field ← API field) and its cost. */
interface UsageKind {
	path: string;
	groupByParameter: string;
	/** Whether its endpoint takes the Only Models filter. */
	byModel: boolean;
	counts: Record<string, keyof UsageResult>;
	cost: (result: UsageResult) => number | null;
}

/** A tool's calls at its fee per call (the price table's dated row). */
const toolCost =
	(tool: string, count: keyof UsageResult) =>
	(result: UsageResult): number =>
		toolFeesOf({ [tool]: Number(result[count] ?? 0) });

const KINDS: Record<UsageOf, UsageKind> = {
	completions: {
		path: '/organization/usage/completions',
		groupByParameter: 'groupBy',
		byModel: true,
		counts: { inputTokens: 'input_tokens', inputCachedTokens: 'input_cached_tokens', outputTokens: 'output_tokens', numModelRequests: 'num_model_requests' },
		cost: tokenCost,
	},
	webSearchCalls: {
		path: '/organization/usage/web_search_calls',
		groupByParameter: 'webSearchGroupBy',
		byModel: true,
		counts: { webSearchCalls: 'num_requests', numModelRequests: 'num_model_requests' },
		cost: toolCost('web_search', 'num_requests'),
	},
	fileSearchCalls: {
		path: '/organization/usage/file_search_calls',
		groupByParameter: 'fileSearchGroupBy',
		byModel: false,
		counts: { fileSearchCalls: 'num_requests' },
		cost: toolCost('file_search', 'num_requests'),
	},
	codeInterpreterSessions: {
		path: '/organization/usage/code_interpreter_sessions',
		groupByParameter: 'codeInterpreterGroupBy',
		byModel: false,
		counts: { codeInterpreterSessions: 'num_sessions' },
		cost: toolCost('code_interpreter', 'num_sessions'),
	},
};

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runAdminReport(this, async (client, itemIndex) => {
		const kind = KINDS[this.getNodeParameter('usageOf', itemIndex, 'completions') as UsageOf] ?? KINDS.completions;
		const { start, end } = dateRange(this, itemIndex);
		const bucketWidth = this.getNodeParameter('bucketWidth', itemIndex, '1d') as string;
		const qs: IDataObject = { start_time: start, bucket_width: bucketWidth, limit: USAGE_PAGE_LIMIT[bucketWidth] ?? 31 };
		if (end !== undefined) qs.end_time = end;
		const groupBy = this.getNodeParameter(kind.groupByParameter, itemIndex, []) as string[];
		if (groupBy.length) qs.group_by = groupBy;
		if (kind.byModel) {
			const models = listParameter(this, 'models', itemIndex);
			if (models.length) qs.models = models;
		}
		const projects = listParameter(this, 'projectIds', itemIndex);
		if (projects.length) qs.project_ids = projects;

		const { data, pages } = await collectAllPages<UsageBucket>(client, kind.path, qs, itemIndex);
		const counts = Object.entries(kind.counts);
		const rows: IDataObject[] = [];
		for (const bucket of data) {
			for (const result of bucket.results ?? []) {
				const row: IDataObject = { startTime: isoFromUnix(bucket.start_time), endTime: isoFromUnix(bucket.end_time), ...groupFields(result) };
				for (const [field, apiField] of counts) row[field] = Number(result[apiField] ?? 0);
				row.estimatedCostUsd = kind.cost(result);
				rows.push(row);
			}
		}
		if (this.getNodeParameter('usageOutput', itemIndex, 'buckets') === 'buckets') return rows;

		const measures = ['startTime', 'endTime', ...Object.keys(kind.counts), 'estimatedCostUsd'];
		const groups = groupRows(
			rows,
			measures,
			(acc, row) => {
				for (const [field] of counts) acc[field] = (acc[field] as number) + (row[field] as number);
				if (typeof row.estimatedCostUsd === 'number') {
					acc.estimatedCostUsd = roundUsd(((acc.estimatedCostUsd as number | null) ?? 0) + row.estimatedCostUsd);
				}
			},
			(group) => ({ ...group, ...Object.fromEntries(counts.map(([field]) => [field, 0])), estimatedCostUsd: null }),
		);
		return groups.map((group) => ({ ...group, ...period(start, end), buckets: data.length, pages }));
	});
}
