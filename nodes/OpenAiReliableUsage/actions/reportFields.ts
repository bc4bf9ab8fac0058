import type { INodeProperties } from 'n8n-workflow';

/** Start and End Date of the organization reports. */
export function dateRangeProperties(operations: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			default: '',
			required: true,
			displayOptions: { show: { operation: operations } },
			description: 'First moment of the report (UTC buckets start at whole days, hours or minutes)',
		},
		{
			displayName: 'End Date',
			name: 'endDate',
			type: 'dateTime',
			default: '',
			displayOptions: { show: { operation: operations } },
			description: 'End of the report, exclusive. Empty means now.',
		},
	];
}
