/** Get Status: each incoming batch ID's state and progress. */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { getBatch } from '../../helpers/api';
import { batchIdProperty } from '../../helpers/description';
import { eachBatchId } from '../../helpers/summary';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['getStatus', 'cancel'] } }, [batchIdProperty]);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await eachBatchId(this, getBatch);
}
