/** Get Costs: what the organization spent, from the Costs API (admin key), every page. */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { roundUsd } from '../../../shared/format';
import { fetchCosts, sumAmounts } from '../../helpers/costsApi';
import { dateRange, dateRangeProperties, period } from '../../helpers/dates';
import { groupRows, runAdminReport } from '../../helpers/reports';

const properties: INodeProperties[] = [
	...dateRangeProperties,
	{
		displayName: 'Group By',
		name: 'costGroupBy',
		type: 'multiOptions',
		default: [],
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
		options: [
			{ name: 'Total: One Item', value: 'total' },
			{ name: 'One Item per Group', value: 'groups' },
			{ name: 'One Item per Day and Group', value: 'buckets' },
		],
	},
	requestSettingsProperty(),
];

export const description = updateDisplayOptions({ show: { resource: ['organization'], operation: ['getCosts'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runAdminReport(this, async (client, itemIndex) => {
		const { start, end } = dateRange(this, itemIndex);
		const groupBy = this.getNodeParameter('costGroupBy', itemIndex, []) as string[];
		const rows = await fetchCosts(client, itemIndex, start, end, groupBy);
		const output = this.getNodeParameter('costOutput', itemIndex, 'total') as string;
		if (output === 'buckets') return rows;
		const { total, currency } = sumAmounts(rows);
		if (output === 'total') return [{ total, currency, ...period(start, end), days: new Set(rows.map((r) => r.startTime)).size }];
		const groups = groupRows(
			rows,
			['startTime', 'endTime', 'amount'],
			(acc, row) => {
				acc.amount = roundUsd((acc.amount as number) + (row.amount as number));
			},
			(group) => ({ ...group, amount: 0 }),
		);
		return groups.map((group: IDataObject) => ({ ...group, ...period(start, end), shareOfTotal: total ? roundUsd((group.amount as number) / total) : 0 }));
	});
}
