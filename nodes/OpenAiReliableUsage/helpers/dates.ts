/** The date range of organization reports: its fields and their reading. */
import type { INodeProperties } from 'n8n-workflow';

import { fieldError, type ParameterContext } from '../../shared/parameters';

export const dateRangeProperties: INodeProperties[] = [
	{
		displayName: 'Start Date',
		name: 'startDate',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'First moment of the report (UTC buckets start at whole days, hours or minutes)',
	},
	{
		displayName: 'End Date',
		name: 'endDate',
		type: 'dateTime',
		default: '',
		description: 'End of the report, exclusive. Empty means now.',
	},
];

/** Seconds since the epoch from an n8n date parameter (ISO text, a Date or epoch ms). */
export function toUnixSeconds(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return Math.floor(value.getTime() / 1000);
	if (typeof value === 'number') return Math.floor((value > 1e11 ? value : value * 1000) / 1000);
	const parsed = Date.parse(String(value));
	return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}

export function isoFromUnix(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}

/** Start and end of a report, checked before anything is sent. */
export function dateRange(ctx: ParameterContext, itemIndex: number): { start: number; end?: number } {
	const rawStart = ctx.getNodeParameter('startDate', itemIndex, '');
	const rawEnd = ctx.getNodeParameter('endDate', itemIndex, '');
	const start = toUnixSeconds(rawStart);
	const end = toUnixSeconds(rawEnd);
	if (start === undefined) {
		throw fieldError(ctx, itemIndex, 'Start Date', rawStart === '' ? 'is required' : `"${String(rawStart)}" is not a date`);
	}
	if (rawEnd !== '' && rawEnd !== undefined && rawEnd !== null && end === undefined) {
		throw fieldError(ctx, itemIndex, 'End Date', `"${String(rawEnd)}" is not a date`);
	}
	if (end !== undefined && end <= start) {
		throw fieldError(ctx, itemIndex, 'End Date', `${isoFromUnix(end)} is not after the Start Date ${isoFromUnix(start)}`, {
			description: 'Swap the dates or leave End Date empty for "until now".',
		});
	}
	return { start, end };
}

/** The report's period, for its output rows. */
export function period(start: number, end?: number): { from: string; to: string } {
	return { from: isoFromUnix(start), to: end !== undefined ? isoFromUnix(end) : new Date().toISOString() };
}
