/** Cancel: stops each incoming batch; answers already made are kept and billed. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../../shared/execution/output';
import { runItems } from '../../../shared/execution/runItems';
import { textParameter } from '../../../shared/parameters';
import { cancelBatch } from '../../helpers/api';
import { batchClient } from '../../helpers/client';
import { batchSummary } from '../../helpers/summary';

/** Its Batch ID field is Get Status's (shown for both). */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client } = await batchClient(this);
	const outcomes = await runItems(
		this.getInputData().length,
		async (itemIndex) => batchSummary(await cancelBatch(client, textParameter(this, 'batchId', 'Batch ID', itemIndex).trim(), itemIndex)),
		{ concurrency: 1, continueOnFail: this.continueOnFail(), signal: client.signal },
	);
	return [itemsFromOutcomes(this, outcomes, client.signal, { includeInput: false })];
}
