/**
 * The errors the transport raises, in n8n's types, with every message passed through
 * redaction. Items that were not sent (spend cap, a failure every item would repeat)
 * say so in their message.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { formatDuration } from '../format';
import { refusalAdvice, type SpendFigures } from '../limits/spendCap';
import type { Failure } from '../http/failures';
import { looksLikeHtml } from '../http/failures';

export interface AttemptHistory {
	attempts: number;
	retryLog: string[];
	note?: string;
}

/** `The server said: "…"`, with one full stop at the end whatever the quote ends with. */
export function quoteServer(text: string): string {
	const trimmed = text.trim();
	return `The server said: "${trimmed}"${/[.!?…]$/.test(trimmed) ? '' : '.'}`;
}

/** "HTTP 429, code rate_limit_exceeded, request id req_…". */
export function failureMeta(failure: Failure): string {
	const meta: string[] = [failure.status !== undefined ? `HTTP ${failure.status}` : 'no HTTP answer'];
	if (failure.code) meta.push(`code ${failure.code}`);
	if (failure.requestId) meta.push(`request id ${failure.requestId}`);
	return meta.join(', ');
}

/** "HTTP 429 rate_limit_exceeded", for retry log lines. */
export function shortReason(failure: Failure): string {
	if (failure.status === undefined) return failure.kind.replace(/_/g, ' ');
	return `HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}`;
}

export function failureError(node: INode, failure: Failure, itemIndex: number, history: AttemptHistory, redact: (text: string) => string): NodeApiError {
	const upstream = failure.upstreamMessage ? redact(failure.upstreamMessage) : undefined;
	// What to do first, then the server's own words and what was tried, and the codes last.
	const lines: string[] = [failure.advice];
	if (upstream) lines.push(quoteServer(upstream));
	if (failure.rawBody) lines.push(`What came back: ${redact(failure.rawBody)}`);
	if (history.attempts > 1) lines.push(`Tried ${history.attempts} times: ${history.retryLog.join('; ')}; then this last answer.`);
	if (history.note) lines.push(history.note);
	if (looksLikeHtml(failure.upstreamMessage)) lines.push('(The answer was an HTML page.)');
	lines.push(`[${failureMeta(failure)}]`);
	const details: JsonObject = {
		httpStatus: failure.status ?? null,
		openAiCode: failure.code ?? null,
		openAiType: failure.type ?? null,
		requestId: failure.requestId ?? null,
		kind: failure.kind,
		retries: Math.max(0, history.attempts - 1),
	};
	if (upstream) details.serverMessage = upstream;
	return new NodeApiError(node, details, {
		message: redact(failure.title),
		description: redact(lines.join('\n')),
		httpCode: failure.status !== undefined ? String(failure.status) : undefined,
		itemIndex,
	});
}

/** A request the spend cap did not allow. Its item is output, never lost: see the output module. */
export class SpendCapReachedError extends NodeOperationError {
	readonly figures: SpendFigures;

	constructor(node: INode, message: string, figures: SpendFigures, itemIndex: number) {
		super(node, message, {
			itemIndex,
			description: `${refusalAdvice(figures)} Nothing was sent for this item, so nothing was billed for it.`,
		});
		this.figures = figures;
	}
}

/** The error for a request the spend cap refused. */
export function spendCapReached(node: INode, refusal: { message: string; figures: SpendFigures }, itemIndex: number): SpendCapReachedError {
	return new SpendCapReachedError(node, refusal.message, refusal.figures, itemIndex);
}

export function cancelledError(node: INode, itemIndex: number): NodeOperationError {
	return new NodeOperationError(node, 'The execution was cancelled while waiting for OpenAI', { itemIndex });
}

export function cappedWaitNote(requestedMs: number, maxWaitMs: number): string {
	return `The server asked to wait ${formatDuration(requestedMs)}, longer than Max Wait (${formatDuration(maxWaitMs)}), so it waited ${formatDuration(maxWaitMs)} instead. Raise Max Wait to follow the server's request.`;
}
