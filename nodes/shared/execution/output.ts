/**
 * Output items, the same rule in every node: each output item is the input item's fields
 * plus the answer (the answer wins where names clash, or goes under the Answer Field),
 * in input order, with pairedItem. A failed item becomes an error item that keeps its
 * input too, with its item number.
 *
 * Items the spend cap did not allow are always output as error items, with or without
 * Continue On Fail, so that nothing answered (and billed) is thrown away.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { BilledAnswerError } from '../chat/answer';
import { formatUsd, plural } from '../format';
import { SpendCapReachedError } from '../transport/errors';
import { firstFailure, type ItemOutcome } from './runItems';

export interface OutputOptions {
	/** Keep the input item's fields (default true). */
	includeInput: boolean;
	/** Put the answer under this key; empty or undefined: at the top level. */
	answerField?: string;
}

export const KEEP_INPUT: OutputOptions = { includeInput: true };

/** Reads Include Input Fields and Answer Field from a node's Options. */
export function readOutputOptions(ctx: Pick<IExecuteFunctions, 'getNodeParameter'>): OutputOptions {
	const options = (ctx.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;
	const answerField = typeof options.answerField === 'string' ? options.answerField.trim() : '';
	return {
		includeInput: options.includeInputFields !== false,
		...(answerField ? { answerField } : {}),
	};
}

/** Failures that stop a node without Continue On Fail. The spend cap's refusals do not. */
export function isFatal(error: unknown): boolean {
	return !(error instanceof SpendCapReachedError);
}

/** The input item's fields with the answer merged in, as the output options say. */
export function withInput(input: IDataObject | undefined, answer: IDataObject, options: OutputOptions): IDataObject {
	const base = options.includeInput && input ? input : {};
	return options.answerField ? { ...base, [options.answerField]: answer } : { ...base, ...answer };
}

/** What an error item carries: the message, what to do, and the API's identifiers. */
export function errorFields(error: unknown, itemIndex: number): IDataObject {
	const item: IDataObject = { error: error instanceof Error ? error.message : String(error) };
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.description) item.errorDescription = error.description;
		const details = (error as NodeApiError).errorResponse as IDataObject | undefined;
		if (error instanceof NodeApiError && details) {
			for (const key of ['httpStatus', 'openAiCode', 'requestId', 'retries'] as const) {
				if (details[key] !== undefined && details[key] !== null) item[key] = details[key];
			}
		}
	}
	if (error instanceof SpendCapReachedError) {
		item.notSent = true;
		item.spendCapUsd = error.figures.capUsd;
	}
	if (error instanceof BilledAnswerError) {
		// The request was answered and billed: keep what came back.
		const { content, ...rest } = error.answer;
		Object.assign(item, rest, { rawContent: content });
	}
	item.itemIndex = itemIndex;
	return item;
}

/**
 * Stops the node when it must: on cancellation, or, without continue-on-fail, with the
 * fatal failure of the lowest item index.
 */
export function throwUnlessContinuing<T>(ctx: IExecuteFunctions, outcomes: Array<ItemOutcome<T>>, signal: AbortSignal | undefined): void {
	if (signal?.aborted) {
		throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled', { itemIndex: 0 });
	}
	if (ctx.continueOnFail()) return;
	const failure = firstFailure(outcomes, isFatal);
	if (!failure) return;
	const { error, index } = failure;
	if (error instanceof NodeApiError || error instanceof NodeOperationError) throw error;
	throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: index });
}

function failedJson<T>(outcome: ItemOutcome<T> | undefined, index: number): IDataObject {
	return errorFields(outcome && !outcome.ok ? outcome.error : new Error('Not run: the node stopped before this item'), index);
}

/**
 * Turns per-item outcomes into the node's output, in input order, each with pairedItem:
 * the answer, or an error item.
 */
export function itemsFromOutcomes(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome<IDataObject>>,
	signal: AbortSignal | undefined,
	options: OutputOptions = KEEP_INPUT,
): INodeExecutionData[] {
	throwUnlessContinuing(ctx, outcomes, signal);
	const inputs = ctx.getInputData();
	return outcomes.map((outcome, index) => {
		const input = inputs[index];
		const item: INodeExecutionData = {
			json:
				outcome && outcome.ok
					? withInput(input?.json, outcome.value, options)
					: { ...(options.includeInput ? input?.json : {}), ...failedJson(outcome, index) },
			pairedItem: { item: index },
		};
		if (options.includeInput && input?.binary) item.binary = input.binary;
		return item;
	});
}

/** Like itemsFromOutcomes, for jobs that give several rows per item (reports): rows stand alone. */
export function rowsFromOutcomes(ctx: IExecuteFunctions, outcomes: Array<ItemOutcome<IDataObject[]>>, signal: AbortSignal | undefined): INodeExecutionData[] {
	throwUnlessContinuing(ctx, outcomes, signal);
	return outcomes.flatMap((outcome, item) =>
		outcome && outcome.ok ? outcome.value.map((json) => ({ json, pairedItem: { item } })) : [{ json: failedJson(outcome, item), pairedItem: { item } }],
	);
}

/**
 * With "When the Spend Cap Is Reached: Stop the Workflow": the error that fails the
 * execution once the cap refused an item. The answers already billed are kept in the
 * error's details (answeredItems), since a node that fails outputs nothing.
 */
export function spendCapStop(
	ctx: IExecuteFunctions,
	outcomes: Array<ItemOutcome<IDataObject>>,
	items: INodeExecutionData[],
	billedUsd: number,
): NodeOperationError | undefined {
	const first = outcomes.findIndex((o) => o && !o.ok && o.error instanceof SpendCapReachedError);
	if (first < 0) return undefined;
	const refusal = (outcomes[first] as { error: SpendCapReachedError }).error;
	const answered = outcomes.map((o, index) => (o && o.ok ? index : -1)).filter((index) => index >= 0);
	const notSent = outcomes.filter((o) => !o || (!o.ok && o.error instanceof SpendCapReachedError)).length;
	const failed = outcomes.length - answered.length - notSent;
	const error = new NodeOperationError(ctx.getNode(), refusal.message, {
		itemIndex: first,
		description: [
			refusal.description,
			`The workflow was stopped (Request Settings → When the Spend Cap Is Reached: Stop the Workflow): ${plural(answered.length, 'item')} of ${outcomes.length} ${
				answered.length === 1 ? 'was' : 'were'
			} answered and billed (${formatUsd(billedUsd)} in all), ${notSent} not sent${failed ? `, ${failed} failed` : ''}.`,
			answered.length ? "The answered items are kept in this error's details as answeredItems, each with its itemIndex." : '',
		]
			.filter(Boolean)
			.join(' '),
	});
	error.context.answeredItems = answered.map((index) => ({ itemIndex: index, ...items[index].json }));
	error.context.notSentItems = notSent;
	return error;
}
