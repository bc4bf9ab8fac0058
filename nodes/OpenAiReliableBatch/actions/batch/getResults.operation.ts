/**
 * Get Results: for each incoming batch ID, the results in the order the items were submitted
 * (read from the batch's own input file, whatever order OpenAI's output lines come in) on
 * Done, or the batch's progress on Not Ready.
 */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { errorFields, throwUnlessContinuing } from '../../../shared/execution/output';
import { runItems, type ItemOutcome } from '../../../shared/execution/runItems';
import { recordTotals } from '../../../shared/execution/totals';
import { textParameter } from '../../../shared/parameters';
import { priceOverridesProperty, readPriceOverrides } from '../../../shared/pricing/overrides';
import { FINAL_STATES, fileText, getBatch, type Batch } from '../../helpers/api';
import { batchClient } from '../../helpers/client';
import { batchIdProperty, simplifyProperty } from '../../helpers/description';
import { readBatchResults, resultOutcome } from '../../helpers/results';
import { batchSummary } from '../../helpers/summary';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['getResults'] } }, [
	batchIdProperty,
	simplifyProperty,
	priceOverridesProperty(),
]);

interface Collected {
	batch: Batch;
	results: Array<{ customId: string; position: number; outcome: ItemOutcome<IDataObject> }>;
	lostLines: number;
}

/** The custom_ids and models of the batch's input file, in the order they were submitted. */
async function submittedLines(
	client: Awaited<ReturnType<typeof batchClient>>['client'],
	batch: Batch,
	itemIndex: number,
): Promise<Array<{ customId: string; model?: string }>> {
	if (!batch.input_file_id) return [];
	const lines: Array<{ customId: string; model?: string }> = [];
	for (const raw of (await fileText(client, batch.input_file_id, itemIndex)).split('\n')) {
		if (raw.trim() === '') continue;
		try {
			const line = JSON.parse(raw) as { custom_id?: string; body?: { model?: string } };
			if (typeof line.custom_id === 'string') lines.push({ customId: line.custom_id, model: line.body?.model });
		} catch {
			// Not a line OpenAI accepted either; nothing to map.
		}
	}
	return lines;
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client } = await batchClient(this);
	const simplify = this.getNodeParameter('simplifyOutput', 0, true) as boolean;
	const outcomes = await runItems<Collected>(
		this.getInputData().length,
		async (itemIndex) => {
			const id = textParameter(this, 'batchId', 'Batch ID', itemIndex).trim();
			const batch = await getBatch(client, id, itemIndex);
			if (!FINAL_STATES.includes(batch.status)) return { batch, results: [], lostLines: 0 };
			const lines = await submittedLines(client, batch, itemIndex);
			const { byCustomId, lostLines } = await readBatchResults(client, batch, itemIndex);
			// Submitted earlier in this execution: the real cost replaces the worst case held.
			client.spend.releaseHold(batch.id);
			const context = {
				node: this.getNode(),
				bill: (billed: { usd: number; inputTokens: number; outputTokens: number }) => client.recordBilled(billed),
				batch,
				overrides: readPriceOverrides(this, itemIndex),
				json: batch.metadata?.json === 'yes',
				simplify,
			};
			return {
				batch,
				lostLines,
				results: lines.map(({ customId, model }, position) => ({
					customId,
					position,
					outcome: resultOutcome({ ...context, model }, byCustomId.get(customId), customId, itemIndex),
				})),
			};
		},
		{ concurrency: 1, continueOnFail: this.continueOnFail(), signal: client.signal },
	);
	throwUnlessContinuing(this, outcomes, client.signal);
	const done: INodeExecutionData[] = [];
	const notReady: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		const pairedItem = { item: itemIndex };
		if (!outcome.ok) {
			done.push({ json: errorFields(outcome.error, itemIndex), pairedItem });
			return;
		}
		const { batch, results } = outcome.value;
		if (!FINAL_STATES.includes(batch.status)) {
			notReady.push({ json: batchSummary(batch), pairedItem });
			return;
		}
		if (!this.continueOnFail()) {
			const failed = results.find((r) => !r.outcome.ok);
			if (failed && !failed.outcome.ok) throw failed.outcome.error;
		}
		for (const { customId, position, outcome: result } of results) {
			const json = result.ok ? { ...result.value, position } : { ...errorFields(result.error, itemIndex), customId, batchId: batch.id, position };
			done.push({ json, pairedItem });
		}
	});
	recordTotals(this, client.stats, client.spend);
	return [done, notReady];
}
