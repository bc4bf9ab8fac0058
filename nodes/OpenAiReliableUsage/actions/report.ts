import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { rowsFromOutcomes } from '../../shared/execution/output';
import { runItems } from '../../shared/execution/runItems';
import type { OpenAiClient } from '../../shared/transport/client';

/**
 * Runs a report once per input item (reports are usually started by one trigger item)
 * and flattens the rows, each paired with the item that asked for it.
 */
export async function runReport(
	ctx: IExecuteFunctions,
	client: OpenAiClient,
	report: (itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[][]> {
	const outcomes = await runItems(ctx.getInputData().length, report, {
		concurrency: 1,
		continueOnFail: ctx.continueOnFail(),
		signal: client.signal,
	});
	return [rowsFromOutcomes(ctx, outcomes, client.signal)];
}
