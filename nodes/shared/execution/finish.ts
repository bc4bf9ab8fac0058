/**
 * The end of every node run that called the API: hints on the output pane, the execution's
 * totals in n8n, and the output items (or the error that stops the node).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { OpenAiClient } from '../transport/client';
import { addRunHints } from './hints';
import { itemsFromOutcomes, KEEP_INPUT, type OutputOptions } from './output';
import type { ItemOutcome } from './runItems';
import { recordTotals } from './totals';

export function finishRun(
	ctx: IExecuteFunctions,
	client: OpenAiClient,
	outcomes: Array<ItemOutcome<IDataObject>>,
	output: OutputOptions = KEEP_INPUT,
): INodeExecutionData[] {
	const spentUsd = client.spend.spentUsd;
	addRunHints(ctx, outcomes, { stats: client.stats, spentUsd });
	recordTotals(ctx, { stats: client.stats, executionCostUsd: spentUsd });
	return itemsFromOutcomes(ctx, outcomes, client.signal, output);
}
