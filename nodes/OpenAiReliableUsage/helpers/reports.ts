/** Running an organization report per input item, and grouping its rows. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { openClient } from '../../shared/descriptions/requestSettings';
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

/** runReport with the admin key and the node's Request Settings: the organization endpoints. */
export async function runAdminReport(
	ctx: IExecuteFunctions,
	report: (client: OpenAiClient, itemIndex: number) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[][]> {
	const { client } = await openClient(ctx, 'openAiReliableAdminApi');
	return await runReport(ctx, client, async (itemIndex) => await report(client, itemIndex));
}

/** A copy of an object without some keys. */
export function omit(source: IDataObject, keys: string[]): IDataObject {
	const copy: IDataObject = {};
	for (const [key, value] of Object.entries(source)) if (!keys.includes(key)) copy[key] = value;
	return copy;
}

/** Sums rows per group (the row without its measures), adding the measures with `add`. */
export function groupRows(
	rows: IDataObject[],
	measures: string[],
	add: (group: IDataObject, row: IDataObject) => void,
	start: (group: IDataObject) => IDataObject,
): IDataObject[] {
	const groups = new Map<string, IDataObject>();
	for (const row of rows) {
		const group = omit(row, measures);
		const key = JSON.stringify(group);
		const acc = groups.get(key) ?? start(group);
		add(acc, row);
		groups.set(key, acc);
	}
	return [...groups.values()];
}
