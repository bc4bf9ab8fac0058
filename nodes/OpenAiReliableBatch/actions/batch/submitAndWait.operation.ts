/**
 * Submit and Wait: submits, waits inside this execution, and outputs one item per input item,
 * in input order, with the Chat node's fields priced at the batch tier.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { finishRun } from '../../../shared/execution/finish';
import { readOutputOptions } from '../../../shared/execution/output';
import type { ItemOutcome } from '../../../shared/execution/runItems';
import { plural } from '../../../shared/format';
import { checkNumber } from '../../../shared/parameters';
import { batchClient } from '../../helpers/client';
import { waitProperty } from '../../helpers/description';
import { readBatchResults, resultOutcome } from '../../helpers/results';
import { submitItems } from '../../helpers/submit';
import { waitForBatches } from '../../helpers/wait';

export const description: INodeProperties[] = [waitProperty];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const waiting = (this.getNodeParameter('waiting', 0, {}) ?? {}) as IDataObject;
	const pollSeconds = checkNumber(this, 0, waiting.pollSeconds, { field: 'Waiting: Check Every (Seconds)', min: 1, fallback: 30 })!;
	const maxWaitMinutes = checkNumber(this, 0, waiting.maxWaitMinutes, { field: 'Waiting: Give Up After (Minutes)', min: 0, fallback: 60 })!;
	const options = (this.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;

	const { client, settings } = await batchClient(this);
	const { submitted, refused } = await submitItems(this, client, settings);
	const finished = await waitForBatches(
		client,
		this.getNode(),
		submitted.map((s) => s.batch),
		{ pollMs: pollSeconds * 1000, maxWaitMs: maxWaitMinutes * 60_000 },
		() => Date.now(),
	);

	const outcomes: Array<ItemOutcome<IDataObject>> = new Array(this.getInputData().length);
	for (const [itemIndex, error] of refused) outcomes[itemIndex] = { ok: false, error };
	let lostLines = 0;
	for (const [index, { lines }] of submitted.entries()) {
		const batch = finished[index];
		const results = await readBatchResults(client, batch, lines[0].itemIndex);
		lostLines += results.lostLines;
		for (const line of lines) {
			const context = {
				node: this.getNode(),
				bill: (billed: { usd: number; inputTokens: number; outputTokens: number }) => client.recordBilled(billed),
				batch,
				overrides: line.request.call.overrides,
				json: line.request.jsonOutput,
				simplify: options.simplifyOutput !== false,
				model: line.request.model,
			};
			outcomes[line.itemIndex] = resultOutcome(context, results.byCustomId.get(line.customId), line.customId, line.itemIndex);
		}
	}
	if (lostLines > 0 && typeof this.addExecutionHints === 'function') {
		this.addExecutionHints({
			message: `${plural(lostLines, 'result line')} from OpenAI could not be read or matched to an item.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	// The results are in: the real cost replaces the worst case held since submitting.
	for (const batch of finished) client.spend.releaseHold(batch.id);
	return [finishRun(this, client, outcomes, readOutputOptions(this))];
}
