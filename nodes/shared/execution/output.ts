import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { firstFailure, type ItemOutcome } from './runItems';

/** Answers that were received (and billed) but could not be used, by the error that reports them. */
const billedAnswers = new WeakMap<Error, IDataObject>();

/** Keeps a received answer with its error, so a continue-on-fail error item still carries it. */
export function keepAnswer<E extends Error>(error: E, output: IDataObject): E {
	billedAnswers.set(error, output);
	return error;
}

/** What a continue-on-fail error item carries: the message, what to do, and the API's identifiers. */
function errorItem(error: unknown): IDataObject {
	const item: IDataObject = {
		error: error instanceof Error ? error.message : String(error),
	};
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.description) item.errorDescription = error.description;
		const details = (error as NodeApiError).errorResponse as IDataObject | undefined;
		if (error instanceof NodeApiError && details) {
			for (const key of ['httpStatus', 'openAiCode', 'requestId', 'retries'] as const) {
				if (details[key] !== undefined && details[key] !== null) item[key] = details[key];
			}
		}
		const answer = billedAnswers.get(error);
		if (answer) {
			// The request was answered and billed: keep what came back.
			const { content, ...rest } = answer;
			Object.assign(item, rest, { rawContent: content });
		}
	}
	return item;
}

/**
 * Stops the node when it must: on cancellation, or, without continue-on-fail, with the
 * failure of the lowest item index.
 */
export function throwUnlessContinuing<T>(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome<T>>,
	signal: AbortSignal | undefined,
): void {
	if (signal?.aborted) {
		throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled', { itemIndex: 0 });
	}
	if (ctx.continueOnFail()) return;
	const failure = firstFailure(outcomes);
	if (!failure) return;
	const { error, index } = failure;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) throw error;
	throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: index });
}

/** The error item of an outcome that failed (or never ran). */
function failedJson<T>(outcome: ItemOutcome<T> | undefined): IDataObject {
	return errorItem(outcome && !outcome.ok ? outcome.error : new Error('Not run'));
}

/**
 * Turns per-item outcomes into the node's output, in input order, each with pairedItem:
 * the answer, or with continue-on-fail an error item.
 */
export function itemsFromOutcomes(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome<IDataObject>>,
	signal: AbortSignal | undefined,
): INodeExecutionData[] {
	throwUnlessContinuing(ctx, outcomes, signal);
	return outcomes.map((outcome, index) => ({
		json: outcome && outcome.ok ? outcome.value : failedJson(outcome),
		pairedItem: { item: index },
	}));
}

/** Like itemsFromOutcomes, for jobs that give several rows per item. */
export function rowsFromOutcomes(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome<IDataObject[]>>,
	signal: AbortSignal | undefined,
): INodeExecutionData[] {
	throwUnlessContinuing(ctx, outcomes, signal);
	return outcomes.flatMap((outcome, item) =>
		outcome && outcome.ok
			? outcome.value.map((json) => ({ json, pairedItem: { item } }))
			: [{ json: failedJson(outcome), pairedItem: { item } }],
	);
}
