import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { fieldError } from '../shared/execution/parameters';

/** Reads a dot path such as "usage" or "data.usage" from an item. */
export function getPath(source: IDataObject, path: string): unknown {
	let current: unknown = source;
	for (const part of path.split('.').filter((p) => p !== '')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[part];
	}
	return current;
}

/** Seconds since the epoch from an n8n date parameter (ISO text, a Date or epoch ms). */
export function toUnixSeconds(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return Math.floor(value.getTime() / 1000);
	if (typeof value === 'number') return Math.floor((value > 1e11 ? value : value * 1000) / 1000);
	const text = String(value);
	const parsed = Date.parse(text);
	return Number.isNaN(parsed) ? undefined : Math.floor(parsed / 1000);
}

export function isoFromUnix(seconds: number): string {
	return new Date(seconds * 1000).toISOString();
}

/** Start and end of a report, checked before anything is sent. */
export function dateRange(ctx: IExecuteFunctions, itemIndex: number): { start: number; end?: number } {
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
		throw fieldError(
			ctx,
			itemIndex,
			'End Date',
			`${isoFromUnix(end)} is not after the Start Date ${isoFromUnix(start)}`,
			'Swap the dates or leave End Date empty for "until now".',
		);
	}
	return { start, end };
}

/** Money is summed in micro-dollars so long reports do not pick up float noise. */
export function roundUsd(value: number): number {
	return Math.round(value * 1e6) / 1e6;
}

/** A copy of an object without some keys. */
export function omit(source: IDataObject, keys: string[]): IDataObject {
	const copy: IDataObject = {};
	for (const [key, value] of Object.entries(source)) if (!keys.includes(key)) copy[key] = value;
	return copy;
}
