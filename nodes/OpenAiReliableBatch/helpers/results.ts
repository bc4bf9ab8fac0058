/**
 * A finished batch back to items: its output and error files read into one result per
 * custom_id, and each result turned into the Chat node's output fields (priced at the batch
 * tier) or an error that says what happened to that item.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import { answerFields, checkAnswerStatus, parseJsonContent, readAnswer } from '../../shared/chat/answer';
import type { ItemOutcome } from '../../shared/execution/runItems';
import type { PriceOverride } from '../../shared/pricing/prices';
import { CHAT_COMPLETIONS } from '../../shared/model/chatCompletions';
import { RESPONSES } from '../../shared/model/responses';
import type { OpenAiClient } from '../../shared/transport/client';
import { fileText, type Batch } from './api';
import { parseResultLines, type LineResult } from './lines';

export interface BatchResults {
	byCustomId: Map<string, LineResult>;
	/** Lines that could not be tied to any item. */
	lostLines: number;
}

export async function readBatchResults(client: OpenAiClient, batch: Batch, itemIndex: number): Promise<BatchResults> {
	const byCustomId = new Map<string, LineResult>();
	let lostLines = 0;
	for (const fileId of [batch.output_file_id, batch.error_file_id]) {
		if (fileId) lostLines += parseResultLines(await fileText(client, fileId, itemIndex), byCustomId);
	}
	return { byCustomId, lostLines };
}

export interface ResultContext {
	node: INode;
	/** Records what an answer was billed (the execution's spend and this run's totals). */
	bill: (billed: { usd: number; inputTokens: number; outputTokens: number }) => void;
	batch: Batch;
	overrides: Record<string, PriceOverride>;
	/** The answers are JSON (JSON Object or JSON Schema at submit). */
	json: boolean;
	simplify: boolean;
	/** Model asked for, when known (priced when the answer names none). */
	model?: string;
}

const NOT_FINISHED: Record<string, string> = {
	expired: 'the batch expired (24 hours) before this item was done',
	cancelled: 'the batch was cancelled before this item was done',
	failed: 'the batch failed as a whole',
};

function unanswered(ctx: ResultContext, itemIndex: number, customId: string, reason: string, status: string): NodeOperationError {
	return new NodeOperationError(ctx.node, `Not answered: ${reason}`, {
		itemIndex,
		description: `Batch ${ctx.batch.id}, custom_id "${customId}", batch status "${status}". Nothing was billed for this item; send it again, e.g. through the OpenAI Reliable Chat node.`,
	});
}

function durationMs(batch: Batch): number {
	const end = batch.completed_at ?? batch.in_progress_at ?? batch.created_at;
	return end && batch.created_at ? (end - batch.created_at) * 1000 : 0;
}

/** The outcome of one item: its answer as the Chat node would output it, or why there is none. */
export function resultOutcome(ctx: ResultContext, result: LineResult | undefined, customId: string, itemIndex: number): ItemOutcome<IDataObject> {
	const status = ctx.batch.status;
	const tag = { customId, batchId: ctx.batch.id };
	if (!result) {
		const reason = NOT_FINISHED[status] ?? `the batch has no result for this item (status "${status}")`;
		return { ok: false, error: unanswered(ctx, itemIndex, customId, reason, status) };
	}
	if (result.kind === 'failed') {
		if (result.code === 'batch_expired' || result.code === 'batch_cancelled') {
			return { ok: false, error: unanswered(ctx, itemIndex, customId, NOT_FINISHED[result.code === 'batch_expired' ? 'expired' : 'cancelled'], status) };
		}
		const details: JsonObject = {
			message: result.message,
			openAiCode: result.code ?? null,
			httpStatus: result.status ?? null,
			requestId: result.requestId ?? null,
		};
		return {
			ok: false,
			error: new NodeApiError(ctx.node, details, {
				itemIndex,
				message: `OpenAI could not answer this item in the batch: ${result.message}`,
				description: `Batch ${ctx.batch.id}, custom_id "${customId}"${result.code ? `, code ${result.code}` : ''}. This line was not billed. Fix the item and send it again.`,
				...(result.status ? { httpCode: String(result.status) } : {}),
			}),
		};
	}
	if (result.kind === 'unreadable') {
		return {
			ok: false,
			error: new NodeOperationError(ctx.node, "OpenAI's result line for this item could not be read", {
				itemIndex,
				description: `Batch ${ctx.batch.id}, custom_id "${customId}": the line is not valid JSON (it starts: ${result.text.slice(0, 80)}). The other items are not affected; send this one again.`,
			}),
		};
	}
	// Billed at the batch tier, whatever tier the answer names.
	const responses = ctx.batch.endpoint === RESPONSES.batchUrl;
	const read = (responses ? RESPONSES : CHAT_COMPLETIONS).read(result.completion);
	delete read.serviceTier;
	const answer = readAnswer(read, { model: ctx.model ?? '', overrides: ctx.overrides, tier: 'batch', responses });
	if (answer.cost) ctx.bill({ usd: answer.cost.totalUsd, inputTokens: answer.cost.tokens.inputTokens, outputTokens: answer.cost.tokens.outputTokens });
	const elapsed = durationMs(ctx.batch);
	const call = { requestId: result.requestId, retries: 0, retryLog: [], waitedMs: 0, latencyMs: elapsed, elapsedMs: elapsed };
	const fields = { ...answerFields(answer, call, { simplify: ctx.simplify, tierLabel: 'batch' }), serviceTier: 'batch', ...tag };
	try {
		// A Response that failed or stopped early (a content filter) is the item's error, with what was billed.
		checkAnswerStatus(ctx.node, itemIndex, answer, fields);
		return { ok: true, value: ctx.json ? parseJsonContent(ctx.node, itemIndex, answer, fields) : fields };
	} catch (error) {
		return { ok: false, error };
	}
}
