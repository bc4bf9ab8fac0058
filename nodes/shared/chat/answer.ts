/**
 * A chat completion as the nodes output it: the answer's text (or parsed JSON), token
 * counts, cost, and the call's own figures (request id, retries, latency).
 */
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { formatUsd } from '../format';
import type { Citation, ModelAnswer } from '../model/types';
import { answeredAs, priceAnswer, type PriceOverride, type PriceTier, type UsageCost } from '../pricing/prices';
import type { CallResult } from '../transport/client';

export interface ChatAnswer {
	/** The text, or the parsed object when JSON output was asked for. */
	content: unknown;
	rawContent: string | null;
	finishReason: string | null;
	model: string;
	tier: PriceTier;
	usage: IDataObject;
	cost?: UsageCost;
	refusal?: string;
	id?: string;
	serviceTier?: string;
	systemFingerprint?: string;
	/** The Responses API's id (for Previous Response ID); undefined on Chat Completions. */
	responseId?: string;
	citations?: Citation[];
	reasoningSummary?: string;
	status?: string;
	incompleteReason?: string;
	error?: { code?: string; message?: string };
}

/** An answer that was received and billed, but cannot be used (JSON that does not parse). */
export class BilledAnswerError extends NodeOperationError {
	constructor(
		node: INode,
		message: string,
		readonly answer: IDataObject,
		itemIndex: number,
		description: string,
	) {
		super(node, message, { itemIndex, description });
	}
}

function invalidJson(node: INode, itemIndex: number, fields: IDataObject, cutOff: boolean): BilledAnswerError {
	return new BilledAnswerError(
		node,
		"The model's answer is not valid JSON",
		fields,
		itemIndex,
		cutOff
			? 'The answer was cut off at Max Tokens before the JSON was complete. Raise Max Tokens. (This request was answered and billed; with Continue On Fail the raw answer is in rawContent.)'
			: 'Ask for JSON explicitly in the System Message, or use JSON Schema for guaranteed structure. (This request was answered and billed; with Continue On Fail the raw answer is in rawContent.)',
	);
}

/** An answer (read from any wire format), priced at the model and tier it names (else the request's). */
export function readAnswer(
	answer: ModelAnswer,
	request: { model: string; overrides: Record<string, PriceOverride>; tier: PriceTier; responses?: boolean },
): ChatAnswer {
	const cost = priceAnswer(answer, request);
	const { model, tier } = answeredAs(answer, request);
	return {
		content: answer.text,
		rawContent: answer.text,
		finishReason: answer.finishReason,
		model,
		tier,
		usage: answer.usage,
		...(cost ? { cost } : {}),
		...(answer.refusal ? { refusal: answer.refusal } : {}),
		...(answer.id ? { id: answer.id } : {}),
		...(answer.serviceTier !== undefined ? { serviceTier: answer.serviceTier } : {}),
		...(answer.systemFingerprint ? { systemFingerprint: answer.systemFingerprint } : {}),
		...(request.responses && answer.id ? { responseId: answer.id } : {}),
		...(answer.citations?.length ? { citations: answer.citations } : {}),
		...(answer.reasoningSummary ? { reasoningSummary: answer.reasoningSummary } : {}),
		...(answer.status ? { status: answer.status } : {}),
		...(answer.incompleteReason ? { incompleteReason: answer.incompleteReason } : {}),
		...(answer.error ? { error: answer.error } : {}),
	};
}

/**
 * A Responses answer that failed, or stopped for another reason than Max Tokens (a content
 * filter), is an item error that keeps what was billed. Cut off at Max Tokens, the partial
 * text and its cost are the answer (finishReason "length"), as on Chat Completions.
 */
export function checkAnswerStatus(node: INode, itemIndex: number, answer: ChatAnswer, fields: IDataObject): void {
	if (answer.status === 'failed') {
		const code = answer.error?.code ? ` (${answer.error.code})` : '';
		throw new BilledAnswerError(
			node,
			`OpenAI could not finish the answer: ${answer.error?.message ?? 'the response failed'}${code}`,
			fields,
			itemIndex,
			'The Responses API marked this response as failed. Try the item again; if it keeps failing, check the model and the tools it uses. (Anything billed is in the error details with Continue On Fail.)',
		);
	}
	if (answer.status === 'incomplete' && answer.incompleteReason !== 'max_output_tokens') {
		throw new BilledAnswerError(
			node,
			`The answer is incomplete: ${answer.incompleteReason ?? 'no reason given'}`,
			fields,
			itemIndex,
			answer.incompleteReason === 'content_filter'
				? "OpenAI's content filter stopped the answer. Rephrase the prompt. (The partial answer and its cost are in the error details with Continue On Fail.)"
				: 'OpenAI stopped the answer early. (The partial answer and its cost are in the error details with Continue On Fail.)',
		);
	}
}

export interface AnswerFieldOptions {
	simplify: boolean;
	/** The execution's spend when this answer arrived; output only with Simplify Output off. */
	executionCostUsd?: number;
	/** Batch results are billed at the batch tier, whatever the answer says. */
	tierLabel?: string;
}

/**
 * The output fields of one answer: the answer and its cost first (the columns a user looks
 * for right after the input's), then the model, tokens and the call's own figures.
 * `retryLog` is always there (empty without retries), so the table never shows it missing.
 */
export function answerFields(answer: ChatAnswer, call: Omit<CallResult<unknown>, 'body' | 'rateLimit'>, options: AnswerFieldOptions): IDataObject {
	const tokens = answer.cost?.tokens;
	const fields: IDataObject = {
		content: answer.content as IDataObject,
		costUsd: answer.cost ? answer.cost.totalUsd : null,
		cost: answer.cost ? formatUsd(answer.cost.totalUsd) : null,
		model: answer.model,
		finishReason: answer.finishReason,
	};
	if (options.simplify) {
		const u = answer.usage as Record<string, unknown>;
		fields.promptTokens = tokens?.inputTokens ?? (u.prompt_tokens as number) ?? null;
		fields.completionTokens = tokens?.outputTokens ?? (u.completion_tokens as number) ?? null;
		fields.totalTokens = (u.total_tokens as number) ?? (tokens ? tokens.inputTokens + tokens.outputTokens : null);
		fields.cachedTokens = tokens?.cachedInputTokens ?? 0;
		fields.reasoningTokens = tokens?.reasoningTokens ?? 0;
	} else {
		fields.usage = answer.usage;
		// The execution's spend when this answer arrived (answers arrive in any order).
		if (options.executionCostUsd !== undefined) fields.executionCostUsd = options.executionCostUsd;
	}
	if (answer.responseId) fields.responseId = answer.responseId;
	const sources = (answer.citations ?? []).filter((c) => c.type === 'url');
	const files = (answer.citations ?? []).filter((c) => c.type === 'file');
	if (sources.length) fields.sources = sources.map((c) => ({ title: c.title ?? c.url ?? '', url: c.url ?? '' }));
	if (files.length) fields.files = files.map((c) => ({ fileId: c.fileId ?? '', filename: c.filename ?? '' }));
	if (answer.reasoningSummary) fields.reasoningSummary = answer.reasoningSummary;
	if (answer.cost?.toolsUsd) {
		fields.toolCalls = answer.cost.toolUse as IDataObject;
		fields.toolFeesUsd = answer.cost.toolsUsd;
	}
	fields.requestId = call.requestId ?? null;
	fields.retries = call.retries;
	fields.retryLog = call.retryLog;
	fields.latencyMs = call.latencyMs;
	fields.elapsedMs = call.elapsedMs;
	if (!options.simplify) {
		fields.id = answer.id ?? null;
		fields.serviceTier = answer.serviceTier ?? null;
		fields.systemFingerprint = answer.systemFingerprint ?? null;
		if (answer.cost) {
			fields.pricing = {
				model: answer.cost.match.matched,
				source: answer.cost.match.source === 'override' ? 'price override' : 'built-in table',
				tier: options.tierLabel ?? answer.cost.match.tier,
			};
		}
	}
	if (!answer.cost) {
		fields.costNote = `No built-in price for "${answer.model}". Add it under Price Overrides to see its cost.`;
	} else if (answer.cost.match.tierNote) {
		fields.costNote = answer.cost.match.tierNote;
	}
	if (answer.refusal) fields.refusal = answer.refusal;
	return fields;
}

/**
 * Parses JSON output into content. An answer that should be JSON but is not fails its
 * item, keeping what was billed on the error.
 */
export function parseJsonContent(node: INode, itemIndex: number, answer: ChatAnswer, fields: IDataObject): IDataObject {
	if (typeof answer.rawContent !== 'string') return fields;
	try {
		return { ...fields, content: JSON.parse(answer.rawContent) as IDataObject };
	} catch {
		throw invalidJson(node, itemIndex, fields, answer.finishReason === 'length');
	}
}

/** A call's own figures, for places that show one call at a time (the Chat Model's run data). */
export function answerCallFigures(call: Omit<CallResult<unknown>, 'body' | 'rateLimit'>, billedUsd: number | undefined, executionCostUsd: number): IDataObject {
	return {
		costUsd: billedUsd ?? null,
		cost: billedUsd !== undefined ? formatUsd(billedUsd) : null,
		executionCostUsd,
		requestId: call.requestId ?? null,
		retries: call.retries,
		retryLog: call.retryLog,
		latencyMs: call.latencyMs,
	};
}
