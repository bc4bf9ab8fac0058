import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readRequestSettings, requestSettingsProperty } from '../../shared/descriptions/requestSettings';
import { OpenAiClient } from '../../shared/transport/client';
import { collectAllPages } from '../../shared/transport/pagination';
import { dateRange, isoFromUnix, omit, roundUsd } from '../helpers';
import { runReport } from './report';
import { dateRangeProperties } from './reportFields';

const show = { operation: ['getCosts'] };

/** The Costs API's largest page (daily buckets only). */
export const COSTS_PAGE_LIMIT = 180;

export const description: INodeProperties[] = [
	...dateRangeProperties(['getCosts']),
	{
		displayName: 'Group By',
		name: 'costGroupBy',
		type: 'multiOptions',
		default: [],
		displayOptions: { show },
		options: [
			{ name: 'API Key', value: 'api_key_id' },
			{ name: 'Line Item', value: 'line_item' },
			{ name: 'Project', value: 'project_id' },
		],
	},
	{
		displayName: 'Output',
		name: 'costOutput',
		type: 'options',
		default: 'total',
		displayOptions: { show },
		options: [
			{ name: 'Total: One Item', value: 'total' },
			{ name: 'One Item per Group', value: 'groups' },
			{ name: 'One Item per Day and Group', value: 'buckets' },
		],
	},
	requestSettingsProperty(false, { show }),
];

interface CostResult {
	amount?: { value?: number | string; currency?: string };
	line_item?: string | null;
	project_id?: string | null;
	api_key_id?: string | null;
}

interface CostBucket {
	start_time: number;
	end_time: number;
	results?: CostResult[];
}

export interface CostRow extends IDataObject {
	startTime: string;
	endTime: string;
	amount: number;
	currency: string;
}

/** Every cost line of [start, end), following all pages. Shared with Check Budget. */
export async function fetchCosts(
	client: OpenAiClient,
	itemIndex: number,
	start: number,
	end: number | undefined,
	groupBy: string[],
): Promise<CostRow[]> {
	const qs: IDataObject = { start_time: start, bucket_width: '1d', limit: COSTS_PAGE_LIMIT };
	if (end !== undefined) qs.end_time = end;
	if (groupBy.length) qs.group_by = groupBy;
	const { data } = await collectAllPages<CostBucket>(client, '/organization/costs', qs, itemIndex);
	const rows: CostRow[] = [];
	for (const bucket of data) {
		for (const result of bucket.results ?? []) {
			const row: CostRow = {
				startTime: isoFromUnix(bucket.start_time),
				endTime: isoFromUnix(bucket.end_time),
				amount: Number(result.amount?.value ?? 0) || 0,
				currency: (result.amount?.currency ?? 'usd').toUpperCase(),
			};
			if (result.project_id) row.projectId = result.project_id;
			if (result.line_item) row.lineItem = result.line_item;
			if (result.api_key_id) row.apiKeyId = result.api_key_id;
			rows.push(row);
		}
	}
	return rows;
}

export function sumAmounts(rows: CostRow[]): { total: number; currency: string } {
	const currency = rows[0]?.currency ?? 'USD';
	return { total: roundUsd(rows.reduce((sum, row) => sum + row.amount, 0)), currency };
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const settings = readRequestSettings(this);
	const client = await OpenAiClient.create(this, 'openAiReliableAdminApi', settings.retry);
	return await runReport(this, client, async (itemIndex) => {
		const { start, end } = dateRange(this, itemIndex);
		const groupBy = this.getNodeParameter('costGroupBy', itemIndex, []) as string[];
		const rows = await fetchCosts(client, itemIndex, start, end, groupBy);
		const period = { from: isoFromUnix(start), to: end !== undefined ? isoFromUnix(end) : new Date().toISOString() };
		const output = this.getNodeParameter('costOutput', itemIndex, 'total') as string;
		if (output === 'buckets') return rows;
		const { total, currency } = sumAmounts(rows);
		if (output === 'total') return [{ total, currency, ...period, days: new Set(rows.map((r) => r.startTime)).size }];
		const groups = new Map<string, IDataObject>();
		for (const row of rows) {
			const group = omit(row, ['startTime', 'endTime', 'amount']);
			const key = JSON.stringify(group);
			const acc = groups.get(key) ?? { ...group, amount: 0 };
			acc.amount = roundUsd((acc.amount as number) + row.amount);
			groups.set(key, acc);
		}
		return [...groups.values()].map((group) => ({ ...group, ...period, shareOfTotal: total ? roundUsd((group.amount as number) / total) : 0 }));
	});
}
