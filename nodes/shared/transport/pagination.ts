import type { IDataObject } from 'n8n-workflow';

import type { OpenAiClient } from './client';
import { SHAPES } from '../http/shapes';

/** A page of OpenAI's organization reports. */
export interface ReportPage<T> {
	data?: T[];
	has_more?: boolean;
	next_page?: string | null;
}

/** Upper bound on pages, so a server that always says has_more cannot loop forever. */
export const MAX_PAGES = 500;

/**
 * Follows `has_more` / `next_page` until the report is complete and returns every bucket.
 * Each page goes through the client, so each gets the same retries as any request.
 */
export async function collectAllPages<T>(client: OpenAiClient, path: string, qs: IDataObject, itemIndex: number): Promise<{ data: T[]; pages: number }> {
	const data: T[] = [];
	let page: string | undefined;
	let pages = 0;
	do {
		const result = await client.call<ReportPage<T>>({
			method: 'GET',
			path,
			qs: page ? { ...qs, page } : qs,
			itemIndex,
			adminEndpoint: true,
			shape: SHAPES.list,
		});
		pages++;
		if (Array.isArray(result.body.data)) data.push(...result.body.data);
		const next = result.body.has_more && result.body.next_page ? result.body.next_page : undefined;
		// A server that hands out the same page again would loop forever.
		page = next !== page ? next : undefined;
	} while (page && pages < MAX_PAGES);
	return { data, pages };
}

/** A page of OpenAI's cursor lists (`after` / `last_id`). */
export interface ListPage<T> {
	data?: T[];
	has_more?: boolean;
	last_id?: string | null;
}

/** Follows a cursor list (`has_more`, `last_id` passed back as `after`) and returns every entry. */
export async function collectList<T>(client: OpenAiClient, path: string, qs: IDataObject, itemIndex: number, adminEndpoint = true): Promise<T[]> {
	const data: T[] = [];
	let after: string | undefined;
	for (let pages = 0; pages < MAX_PAGES; pages++) {
		const result = await client.call<ListPage<T>>({
			method: 'GET',
			path,
			qs: after ? { ...qs, after } : qs,
			itemIndex,
			adminEndpoint,
			shape: SHAPES.list,
		});
		if (Array.isArray(result.body.data)) data.push(...result.body.data);
		const next = result.body.has_more && result.body.last_id ? result.body.last_id : undefined;
		if (!next || next === after) break;
		after = next;
	}
	return data;
}
