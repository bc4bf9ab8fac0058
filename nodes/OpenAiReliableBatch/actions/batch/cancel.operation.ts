/** Cancel: stops each incoming batch; answers already made are kept and billed. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { cancelBatch } from '../../helpers/api';
import { eachBatchId } from '../../helpers/summary';

/** Its Batch ID field is Get Status's (shown for both). */
export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await eachBatchId(this, cancelBatch);
}
