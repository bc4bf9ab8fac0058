/** A batch as an output item: its state in words a user can act on. */
import type { IDataObject } from 'n8n-workflow';

import type { Batch } from './api';

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
