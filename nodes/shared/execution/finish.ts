/**
 * The end of every node run that called the API: hints on the output pane, the execution's
 * totals in n8n, and the output items (or the error that stops the node).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { SpendCapAction } from '../descriptions/requestSettings';
import type { OpenAiClient } from '../transport/client';
import { addRunHints } from './hints';
import { itemsFromOutcomes, KEEP_INPUT, spendCapStop, type OutputOptions } from './output';
import type { ItemOutcome } from './runItems';
import { recordTotals } from './totals';

export function finishRun(
	ctx: IExecuteFunctions,
	client: OpenAiClient,
	outcomes: Array<ItemOutcome<IDataObject>>,
	output: OutputOptions = KEEP_INPUT,
	onSpendCap: SpendCapAction = 'errorItems',
): INodeExecutionData[] {
	const spentUsd = client.spend.spentUsd;
	addRunHints(ctx, outcomes, { stats: client.stats, spentUsd, unavailableMs: client.unavailableMs });
	recordTotals(ctx, client.stats, client.spend);
	const items = itemsFromOutcomes(ctx, outcomes, client.signal, output);
	if (onSpendCap === 'stop') {
		const stop = spendCapStop(ctx, outcomes, items, client.stats.costUsd);
		if (stop) throw stop;
	}
	return items;
}
