/**
 * Number fields that hold dollars. The editor rounds a number field to its numberPrecision
 * when it loses focus, so a field with 2 decimals turns a typed 0.0001 into 0, and for the
 * spend cap 0 means "no cap". Every money field takes its typeOptions from here.
 */
import type { INodeProperties } from 'n8n-workflow';

/** Decimals a money field keeps: a millionth of a dollar, below any single request's cost. */
export const MONEY_PRECISION = 6;

/** typeOptions of a number field in USD. */
export function moneyTypeOptions(minValue: number): NonNullable<INodeProperties['typeOptions']> {
	return { minValue, numberPrecision: MONEY_PRECISION };
}
