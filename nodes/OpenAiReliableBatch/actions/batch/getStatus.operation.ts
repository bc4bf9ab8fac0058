/** Get Status: each incoming batch ID's state and progress. */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { textParameter } from '../../../shared/parameters';
import { getBatch } from '../../helpers/api';
import { batchClient } from '../../helpers/client';
import { batchIdProperty } from '../../helpers/description';
import { batchSummary } from '../../helpers/summary';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['getStatus', 'cancel'] } }, [batchIdProperty]);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client } = await batchClient(this);
	const outcomes = await runItems(
		this.getInputData().length,
		async (itemIndex) => batchSummary(await getBatch(client, textParameter(this, 'batchId', 'Batch ID', itemIndex).trim(), itemIndex)),
		{ concurrency: 1, continueOnFail: this.continueOnFail(), signal: client.signal },
	);
	return [itemsFromOutcomes(this, outcomes, client.signal, { includeInput: false })];
}
