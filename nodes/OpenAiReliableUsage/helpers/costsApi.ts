/** The Costs API: every cost line of a period, following all pages. Used by Get Costs and Check Budget. */
import type { IDataObject } from 'n8n-workflow';

import { roundUsd } from '../../shared/format';
import type { OpenAiClient } from '../../shared/transport/client';
import { collectAllPages } from '../../shared/transport/pagination';
import { isoFromUnix } from './dates';

/** The Costs API's largest page (daily buckets only). */
export const COSTS_PAGE_LIMIT = 180;

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

export async function fetchCosts(client: OpenAiClient, itemIndex: number, start: number, end: number | undefined, groupBy: string[]): Promise<CostRow[]> {
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
