/**
 * The batch input file: one request per item (Chat Completions or Responses), built by the Chat node's own
 * request builder, split where OpenAI's limits per batch require; and the output and error
 * files read back into one result per custom_id.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChatRequest } from '../../shared/chat/request';
import { CHAT_COMPLETIONS } from '../../shared/model/chatCompletions';
import { RESPONSES } from '../../shared/model/responses';

/** OpenAI's limits for one batch: requests per file and the file's size. */
export const BATCH_LIMITS = { requests: 50_000, bytes: 200 * 1024 * 1024 };

export interface BatchLine {
	itemIndex: number;
	customId: string;
	/** The JSONL line, newline included. */
	text: string;
	request: ChatRequest;
}

export function batchLine(itemIndex: number, customId: string, request: ChatRequest): BatchLine {
	const text = `${JSON.stringify({ custom_id: customId, method: 'POST', url: request.call.wire.batchUrl, body: request.call.body })}\n`;
	return { itemIndex, customId, text, request };
}

/** Lines grouped into files that each fit one batch. */
export function splitLines(lines: BatchLine[], limits = BATCH_LIMITS): BatchLine[][] {
	const files: BatchLine[][] = [];
	let current: BatchLine[] = [];
	let bytes = 0;
	for (const line of lines) {
		const size = Buffer.byteLength(line.text);
		if (current.length > 0 && (current.length >= limits.requests || bytes + size > limits.bytes)) {
			files.push(current);
			current = [];
			bytes = 0;
		}
		current.push(line);
		bytes += size;
	}
	if (current.length) files.push(current);
	return files;
}

export type LineResult =
	| { kind: 'answer'; completion: IDataObject; requestId?: string }
	| { kind: 'failed'; status?: number; code?: string; message: string; requestId?: string }
	| { kind: 'unreadable'; text: string };

function recoverCustomId(text: string): string | undefined {
	return /"custom_id"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
}

/** Reads output or error file lines into results by custom_id. Lines whose custom_id cannot be found are counted. */
export function parseResultLines(text: string, into: Map<string, LineResult>): number {
	let lost = 0;
	for (const raw of text.split('\n')) {
		if (raw.trim() === '') continue;
		let line: IDataObject;
		try {
			line = JSON.parse(raw) as IDataObject;
		} catch {
			const id = recoverCustomId(raw);
			if (id === undefined) lost++;
			else into.set(id, { kind: 'unreadable', text: raw.slice(0, 200) });
			continue;
		}
		const id = typeof line.custom_id === 'string' ? line.custom_id : undefined;
		if (id === undefined) {
			lost++;
			continue;
		}
		const response = line.response as { status_code?: number; request_id?: string; body?: IDataObject } | null | undefined;
		const error = line.error as { code?: string; message?: string } | null | undefined;
		// An answer of either API a batch may call (a chat completion, or a Response).
		if (response && response.status_code === 200 && response.body && [CHAT_COMPLETIONS, RESPONSES].some((wire) => wire.shape(response.body!))) {
			into.set(id, { kind: 'answer', completion: response.body, requestId: response.request_id });
		} else if (response && response.body) {
			const apiError = (response.body.error ?? {}) as { code?: string; message?: string };
			into.set(id, {
				kind: 'failed',
				status: response.status_code,
				code: apiError.code ?? undefined,
				message: apiError.message ?? `status ${response.status_code}`,
				requestId: response.request_id,
			});
		} else {
			into.set(id, { kind: 'failed', code: error?.code, message: error?.message ?? 'no answer in the batch' });
		}
	}
	return lost;
}
