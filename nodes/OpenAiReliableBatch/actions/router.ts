/** The Batch node's operations, and the dispatch to them. Operations are peers. */
import { NodeOperationError, updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestProperties } from '../helpers/description';
import * as cancel from './batch/cancel.operation';
import * as getResults from './batch/getResults.operation';
import * as getStatus from './batch/getStatus.operation';
import * as list from './batch/list.operation';
import * as submit from './batch/submit.operation';
import * as submitAndWait from './batch/submitAndWait.operation';

type Operation = { execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>; description: INodeProperties[] };

const OPERATIONS: Record<string, Operation> = { submitAndWait, submit, getResults, getStatus, cancel, list };

/** Display names, for the canvas subtitle. */
export const OPERATION_NAMES: Record<string, string> = {
	submitAndWait: 'Submit and Wait',
	submit: 'Submit',
	getResults: 'Get Results',
	getStatus: 'Get Status',
	cancel: 'Cancel',
	list: 'List',
};

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'submitAndWait',
	options: [
		{ name: 'Cancel', value: 'cancel', description: 'Stop a batch; answers already made are kept (and billed)', action: 'Cancel a batch' },
		{
			name: 'Get Results',
			value: 'getResults',
			description: 'Collect the answers of a finished batch, in the order the items were submitted',
			action: 'Get the results of a batch',
		},
		{ name: 'Get Status', value: 'getStatus', description: "A batch's state and progress", action: 'Get the status of a batch' },
		{ name: 'List', value: 'list', description: 'The most recent batches of the organization', action: 'List batches' },
		{
			name: 'Submit',
			value: 'submit',
			description: 'Send the items as a batch now, collect the answers later with Get Results',
			action: 'Submit items as a batch',
		},
		{
			name: 'Submit and Wait',
			value: 'submitAndWait',
			description: 'Send the items as a batch and wait here for the answers, one per item',
			action: 'Submit items and wait for the answers',
		},
	],
};

/** Where the batch ID comes from is shown by Get Status's description, for Cancel too. */
export const properties: INodeProperties[] = [
	operationProperty,
	{
		displayName:
			'Batch runs at half the price of the Chat node, with its own, larger rate limits; answers come within 24 hours (usually minutes). Use it for work nobody waits for.',
		name: 'batchNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['submit', 'submitAndWait'] } },
	},
	...updateDisplayOptions({ show: { operation: ['submit', 'submitAndWait'] } }, requestProperties()),
	...updateDisplayOptions({ show: { operation: ['submitAndWait'] } }, submitAndWait.description),
	...getResults.description,
	...getStatus.description,
	...list.description,
];

export async function route(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = OPERATIONS[operation];
	if (!handler) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex: 0 });
	return await handler.execute.call(this);
}
