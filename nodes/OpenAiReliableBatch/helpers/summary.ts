/** A batch as an output item: its state in words a user can act on. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { itemsFromOutcomes } from '../../shared/execution/output';
import { runItems } from '../../shared/execution/runItems';
import { textParameter } from '../../shared/parameters';
import type { OpenAiClient } from '../../shared/transport/client';
import type { Batch } from './api';
import { batchClient } from './client';

const when = (seconds?: number | null) => (seconds ? new Date(seconds * 1000).toISOString() : null);

export function batchSummary(batch: Batch): IDataObject {
	const counts = batch.request_counts ?? { total: 0, completed: 0, failed: 0 };
	const summary: IDataObject = {
		batchId: batch.id,
		status: batch.status,
		progress: `${counts.completed + counts.failed} of ${counts.total} done${counts.failed ? ` (${counts.failed} failed)` : ''}`,
		requestCounts: counts,
		createdAt: when(batch.created_at),
		completedAt: when(batch.completed_at),
		expiresAt: when(batch.expires_at),
		inputFileId: batch.input_file_id ?? null,
		outputFileId: batch.output_file_id ?? null,
		errorFileId: batch.error_file_id ?? null,
		metadata: (batch.metadata ?? {}) as IDataObject,
	};
	const errors = batch.errors?.data ?? [];
	if (errors.length) {
		summary.errors = errors.map((e) => `${e.code ?? 'error'}${e.line ? ` (line ${e.line})` : ''}: ${e.message ?? ''}`);
	}
	return summary;
}

/** Runs one call per incoming batch ID and outputs each batch's summary, paired with its item. */
export async function eachBatchId(
	ctx: IExecuteFunctions,
	call: (client: OpenAiClient, batchId: string, itemIndex: number) => Promise<Batch>,
): Promise<INodeExecutionData[][]> {
	const { client } = await batchClient(ctx);
	const outcomes = await runItems(
		ctx.getInputData().length,
		async (itemIndex) => batchSummary(await call(client, textParameter(ctx, 'batchId', 'Batch ID', itemIndex).trim(), itemIndex)),
		{ concurrency: 1, continueOnFail: ctx.continueOnFail(), signal: client.signal },
	);
	return [itemsFromOutcomes(ctx, outcomes, client.signal, { includeInput: false })];
}
