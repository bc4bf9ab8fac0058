/**
 * Items to batches: each item's request built and checked by the Chat node's builder, the
 * whole batch's worst case checked against the spend cap (and held in the execution's ledger
 * once submitted), the lines split where OpenAI's limits
 * per batch require, uploaded and created.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { readAttachments } from '../../shared/chat/attachments';
import { buildChatRequest } from '../../shared/chat/request';
import type { RequestSettings } from '../../shared/descriptions/requestSettings';
import { formatUsd, plural } from '../../shared/format';
import { fieldError, textParameter } from '../../shared/parameters';
import type { ExecutionSpend } from '../../shared/limits/spendCap';
import type { OpenAiClient } from '../../shared/transport/client';
import { createBatch, uploadBatchFile, type Batch } from './api';
import { batchLine, splitLines, type BatchLine } from './lines';

export interface SubmittedBatch {
	batch: Batch;
	lines: BatchLine[];
	part: number;
	parts: number;
	worstCaseUsd: number;
}

export interface Submission {
	submitted: SubmittedBatch[];
	/** Items refused before sending (Continue On Fail), by item index. */
	refused: Map<number, unknown>;
	/** Set when the items had to go in several batches. */
	note?: string;
}

const CAP_FIELD = 'Request Settings: Max Spend per Execution (USD)';

async function buildLines(ctx: IExecuteFunctions, client: OpenAiClient, capUsd: number, refused: Map<number, unknown>): Promise<BatchLine[]> {
	const lines: BatchLine[] = [];
	const seen = new Map<string, number>();
	const count = ctx.getInputData().length;
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			// Priced at the batch tier: each line's worst case, checked by the same rule as a single request.
			const request = await buildChatRequest(ctx, itemIndex, {
				isOpenAi: client.isOpenAi,
				capUsd,
				tier: 'batch',
				attachments: async (model) => await readAttachments(ctx, itemIndex, model),
			});
			const customId = textParameter(ctx, 'customId', 'Custom ID', itemIndex).trim() || `item-${itemIndex}`;
			const earlier = seen.get(customId);
			if (earlier !== undefined) {
				throw fieldError(ctx, itemIndex, 'Custom ID', `"${customId}" is also the Custom ID of item ${earlier}; each item needs its own`, {
					description: 'Use a field that differs per row, or leave Custom ID empty to use the item position.',
				});
			}
			seen.set(customId, itemIndex);
			lines.push(batchLine(itemIndex, customId, request));
		} catch (error) {
			if (!ctx.continueOnFail()) {
				throw error instanceof NodeOperationError || error instanceof NodeApiError
					? error
					: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
			}
			refused.set(itemIndex, error);
		}
	}
	return lines;
}

/** A batch calls one endpoint: every line must go to the same API. */
function oneEndpoint(ctx: IExecuteFunctions, lines: BatchLine[]): string {
	const endpoint = lines[0].request.call.wire.batchUrl;
	const other = lines.find((line) => line.request.call.wire.batchUrl !== endpoint);
	if (other) {
		throw fieldError(
			ctx,
			other.itemIndex,
			'API',
			`item ${lines[0].itemIndex} goes to ${endpoint} and item ${other.itemIndex} to ${other.request.call.wire.batchUrl}, and one batch calls one endpoint`,
			{
				description: 'Set API to Chat Completions or Responses, so every item goes to the same one.',
			},
		);
	}
	return endpoint;
}

/** With a cap, the whole batch's worst case (each line's, at batch prices) must fit what the execution has left. */
function checkBatchFits(ctx: IExecuteFunctions, lines: BatchLine[], capUsd: number, spend: ExecutionSpend): number[] {
	const costs = lines.map((line) => line.request.call.cost.worstCaseUsd);
	const total = costs.reduce((sum, usd) => sum + usd, 0);
	if (!spend.fits(total, capUsd)) {
		throw fieldError(
			ctx,
			0,
			CAP_FIELD,
			`not submitted: the ${plural(lines.length, 'request')} could cost up to ${formatUsd(total)} at batch prices, over this execution's cap of ${formatUsd(capUsd)} (${formatUsd(spend.pendingUsd)} already spent or held)`,
			{
				description:
					'Lower Max Tokens in the Options (the worst case assumes every answer is as long as Max Tokens allows), send fewer items, or raise the cap.',
			},
		);
	}
	return costs;
}

export async function submitItems(ctx: IExecuteFunctions, client: OpenAiClient, settings: RequestSettings): Promise<Submission> {
	const refused = new Map<number, unknown>();
	const lines = await buildLines(ctx, client, settings.maxSpendUsd, refused);
	if (lines.length === 0) return { submitted: [], refused };
	const endpoint = oneEndpoint(ctx, lines);
	const costs = checkBatchFits(ctx, lines, settings.maxSpendUsd, client.spend);
	const files = splitLines(lines);
	const json = lines[0].request.jsonOutput;
	const workflow = ctx.getWorkflow();
	const executionId = ctx.getExecutionId() ?? 'manual';
	const submitted: SubmittedBatch[] = [];
	let offset = 0;
	for (const [index, fileLines] of files.entries()) {
		const part = index + 1;
		const content = Buffer.from(fileLines.map((line) => line.text).join(''));
		const fileId = await uploadBatchFile(client, content, `n8n-${executionId}-part${part}.jsonl`, fileLines[0].itemIndex);
		const metadata: Record<string, string> = {
			source: 'n8n OpenAI Reliable Batch',
			workflow: String(workflow.name ?? workflow.id ?? '').slice(0, 500),
			execution: String(executionId),
			part: `${part}/${files.length}`,
			json: json ? 'yes' : 'no',
		};
		const batch = await createBatch(client, fileId, metadata, fileLines[0].itemIndex, endpoint);
		const worstCaseUsd = costs.slice(offset, offset + fileLines.length).reduce((sum, usd) => sum + usd, 0);
		offset += fileLines.length;
		// Until its results are read, the batch may cost up to its worst case.
		client.spend.hold(batch.id, worstCaseUsd);
		submitted.push({ batch, lines: fileLines, part, parts: files.length, worstCaseUsd });
	}
	const note =
		files.length > 1
			? `${plural(lines.length, 'request')} went in ${files.length} batches: OpenAI takes at most 50,000 requests and 200 MB per batch.`
			: undefined;
	return { submitted, refused, ...(note ? { note } : {}) };
}
