/** List: the organization's most recent batches, newest first. */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { numberParameter } from '../../../shared/parameters';
import { listBatches } from '../../helpers/api';
import { batchClient } from '../../helpers/client';
import { batchSummary } from '../../helpers/summary';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['list'] } }, [
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
	},
]);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client } = await batchClient(this);
	const limit = numberParameter(this, 'limit', 0, { field: 'Limit', min: 1, integer: true, fallback: 50 })!;
	const batches = await listBatches(client, limit, 0);
	return [batches.map((batch) => ({ json: batchSummary(batch), pairedItem: { item: 0 } }))];
}
