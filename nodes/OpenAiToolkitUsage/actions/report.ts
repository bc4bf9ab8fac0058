import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem, itemsFromOutcomes } from '../../shared/execution/output';
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
	const count = ctx.getInputData().length;
	const outcomes = await runItems(count, report, { concurrency: 1, continueOnFail: ctx.continueOnFail(), signal: client.signal });
	const perItem = itemsFromOutcomes(
		ctx,
		outcomes.map((outcome) => (outcome && outcome.ok ? { ok: true as const, value: {} } : outcome)),
		client.signal,
		errorItem,
	);
	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, item) => {
		if (outcome && outcome.ok) {
			for (const json of outcome.value) output.push({ json, pairedItem: { item } });
		} else {
			output.push(perItem[item]);
		}
	});
	return [output];
}
