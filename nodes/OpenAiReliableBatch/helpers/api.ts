/**
 * OpenAI's Files and Batches endpoints, each call through the package's one transport (retry,
 * pacing, error mapping, redaction).
 */
import type { IDataObject } from 'n8n-workflow';

import type { OpenAiClient } from '../../shared/transport/client';
import { multipartBody } from '../../shared/http/multipart';
import { SHAPES } from '../../shared/http/shapes';

export interface Batch {
	id: string;
	status: string;
	endpoint?: string;
	input_file_id?: string;
	output_file_id?: string | null;
	error_file_id?: string | null;
	created_at?: number;
	in_progress_at?: number | null;
	completed_at?: number | null;
	expires_at?: number | null;
	request_counts?: { total: number; completed: number; failed: number };
	metadata?: Record<string, string> | null;
	errors?: { data?: Array<{ code?: string; message?: string; line?: number | null }> } | null;
}

/** The states a batch does not leave. */
export const FINAL_STATES = ['completed', 'failed', 'expired', 'cancelled'];

export async function uploadBatchFile(client: OpenAiClient, content: Buffer, filename: string, itemIndex: number): Promise<string> {
	const upload = multipartBody({ purpose: 'batch' }, { field: 'file', filename, contentType: 'application/jsonl', content });
	const result = await client.call<{ id: string }>({ method: 'POST', path: '/files', upload, itemIndex, shape: SHAPES.withId });
	return result.body.id;
}

/** `endpoint`: the API every line of the batch calls (a wire format's batchUrl). */
export async function createBatch(
	client: OpenAiClient,
	inputFileId: string,
	metadata: Record<string, string>,
	itemIndex: number,
	endpoint: string,
): Promise<Batch> {
	const body = { input_file_id: inputFileId, endpoint, completion_window: '24h', metadata };
	return (await client.call<Batch>({ method: 'POST', path: '/batches', body, itemIndex, shape: SHAPES.batch })).body;
}

export async function getBatch(client: OpenAiClient, id: string, itemIndex: number): Promise<Batch> {
	return (await client.call<Batch>({ method: 'GET', path: `/batches/${encodeURIComponent(id)}`, itemIndex, shape: SHAPES.batch })).body;
}

export async function cancelBatch(client: OpenAiClient, id: string, itemIndex: number): Promise<Batch> {
	return (await client.call<Batch>({ method: 'POST', path: `/batches/${encodeURIComponent(id)}/cancel`, itemIndex, shape: SHAPES.batch })).body;
}

export async function listBatches(client: OpenAiClient, limit: number, itemIndex: number): Promise<Batch[]> {
	const batches: Batch[] = [];
	let after: string | undefined;
	while (batches.length < limit) {
		const qs: IDataObject = { limit: Math.min(100, limit - batches.length), ...(after ? { after } : {}) };
		const page = (
			await client.call<{ data: Batch[]; has_more?: boolean; last_id?: string | null }>({ method: 'GET', path: '/batches', qs, itemIndex, shape: SHAPES.list })
		).body;
		batches.push(...page.data);
		if (!page.has_more || !page.last_id || page.last_id === after) break;
		after = page.last_id;
	}
	return batches;
}

/** A file's contents as text (the batch's output and error files, JSONL). */
export async function fileText(client: OpenAiClient, fileId: string, itemIndex: number): Promise<string> {
	const result = await client.call<string>({
		method: 'GET',
		path: `/files/${encodeURIComponent(fileId)}/content`,
		itemIndex,
		shape: SHAPES.anyObject,
		text: true,
	});
	return result.body;
}
