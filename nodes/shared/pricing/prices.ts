/**
 * The built-in price table and all cost arithmetic: the cost of an answer from its usage,
 * and the worst-case cost of a request before it is sent (for the spend cap). Every node
 * prices through here.
 *
 * Prices are USD per 1 million tokens, standard tier, from OpenAI's pricing page; a test
 * compares every row with @pydantic/genai-prices. Batch and Flex are half the standard
 * price; Priority has its own prices where OpenAI offers it.
 */

import { normaliseModel } from '../models';

export const PRICE_TABLE_DATE = '2026-11-01';

export interface ModelPrice {
	/** USD per 1M uncached input tokens. */
	input: number;
	/** USD per 1M cached input tokens; the input price when the model has no cache discount. */
	cachedInput?: number;
	/** USD per 1M output tokens (reasoning tokens are billed as output). */
	output: number;
}

export interface ModelRow extends ModelPrice {
	/** The most output tokens one answer can have: the worst case when Max Tokens is not set. */
	maxOutput?: number;
	/** Offered on the Flex tier (at the Batch price). */
	flex?: boolean;
	/** Priority-tier prices, where OpenAI offers them. */
	priority?: ModelPrice;
}

export const PRICES: Readonly<Record<string, ModelRow>> = {
	'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14, maxOutput: 128_000, flex: true, priority: { input: 3.5, cachedInput: 0.35, output: 28 } },
	'gpt-5.2-pro': { input: 21, output: 168, maxOutput: 128_000 },
	'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10, maxOutput: 128_000, flex: true, priority: { input: 2.5, cachedInput: 0.25, output: 20 } },
	'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10, maxOutput: 128_000, flex: true, priority: { input: 2.5, cachedInput: 0.25, output: 20 } },
	'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2, maxOutput: 128_000, flex: true, priority: { input: 0.45, cachedInput: 0.045, output: 3.6 } },
	'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4, maxOutput: 128_000, flex: true },
	'gpt-5-pro': { input: 15, output: 120, maxOutput: 272_000 },
	'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8, maxOutput: 32_768, priority: { input: 3.5, cachedInput: 0.875, output: 14 } },
	'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6, maxOutput: 32_768, priority: { input: 0.7, cachedInput: 0.175, output: 2.8 } },
	'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4, maxOutput: 32_768, priority: { input: 0.2, cachedInput: 0.05, output: 0.8 } },
	'gpt-4.5-preview': { input: 75, cachedInput: 37.5, output: 150, maxOutput: 16_384 },
	'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10, maxOutput: 16_384, priority: { input: 4.25, cachedInput: 2.125, output: 17 } },
	'gpt-4o-2024-05-13': { input: 5, output: 15, maxOutput: 4_096 },
	'chatgpt-4o-latest': { input: 5, output: 15, maxOutput: 16_384 },
	'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6, maxOutput: 16_384, priority: { input: 0.25, cachedInput: 0.125, output: 1 } },
	o1: { input: 15, cachedInput: 7.5, output: 60, maxOutput: 100_000 },
	'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4, maxOutput: 65_536 },
	'o1-pro': { input: 150, output: 600, maxOutput: 100_000 },
	o3: { input: 2, cachedInput: 0.5, output: 8, maxOutput: 100_000, flex: true, priority: { input: 3.5, cachedInput: 0.875, output: 14 } },
	'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4, maxOutput: 100_000 },
	'o3-pro': { input: 20, output: 80, maxOutput: 100_000 },
	'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4, maxOutput: 100_000, flex: true, priority: { input: 2, cachedInput: 0.5, output: 8 } },
	'gpt-4-turbo': { input: 10, output: 30, maxOutput: 4_096 },
	'gpt-4': { input: 30, output: 60, maxOutput: 8_192 },
	'gpt-3.5-turbo': { input: 0.5, output: 1.5, maxOutput: 4_096 },
};

/**
 * Built-in tools (Responses API) are billed per call on top of tokens. Rows from OpenAI's
 * pricing page, section "Built-in tools", read on TOOL_PRICES_DATE. The search content a web
 * search reads is billed as input tokens at the model's rate, and the answer's usage already
 * counts it; gpt-4o-mini and gpt-4.1-mini bill a fixed block of input tokens per search instead.
 */
export const TOOL_PRICES_DATE = '2026-11-01';
export const TOOL_PRICES_SOURCE = 'https://platform.openai.com/docs/pricing#built-in-tools';

export interface ToolFee {
	/** USD per call (a code interpreter: per container). */
	usdPerCall: number;
	/** How OpenAI states the price. */
	stated: string;
	/**
	 * Input tokens one call may add, for the spend cap's worst case: the fixed block where a
	 * model bills one, else this allowance (a search with context size high).
	 */
	inputTokensPerCall?: number;
}

export const TOOL_FEES: Readonly<Record<string, ToolFee>> = {
	web_search: { usdPerCall: 10 / 1000, stated: '$10.00 per 1,000 calls, plus the search content as input tokens', inputTokensPerCall: 24_000 },
	file_search: { usdPerCall: 2.5 / 1000, stated: '$2.50 per 1,000 calls' },
	code_interpreter: { usdPerCall: 0.03, stated: '$0.03 per container (1 GB)' },
};

/** Models that bill a web search's content as a fixed block of input tokens per call. */
export const WEB_SEARCH_FIXED_TOKENS: Readonly<Record<string, number>> = { 'gpt-4o-mini': 8_000, 'gpt-4.1-mini': 8_000 };

/** With a spend cap and tools on but no Max Tool Calls, this many are sent, so the cap stays strict. */
export const DEFAULT_MAX_TOOL_CALLS_UNDER_CAP = 5;

/** The fees of the built-in tool calls an answer reports ({ web_search: 2 } → $0.02). */
export function toolFeesOf(toolUse: Readonly<Record<string, number>> | undefined): number {
	let usd = 0;
	for (const [tool, calls] of Object.entries(toolUse ?? {})) usd += (TOOL_FEES[tool]?.usdPerCall ?? 0) * Math.max(0, calls);
	return round(usd);
}

/** The most `maxCalls` calls of the given tools can add: the dearest fee per call, and the input tokens a search may add. */
export function toolWorstCase(model: string, tools: readonly string[], maxCalls: number): { usd: number; inputTokens: number } {
	if (tools.length === 0 || maxCalls <= 0) return { usd: 0, inputTokens: 0 };
	const fee = Math.max(...tools.map((tool) => TOOL_FEES[tool]?.usdPerCall ?? 0));
	const id = normaliseModel(model);
	const fixed = Object.entries(WEB_SEARCH_FIXED_TOKENS).find(([key]) => id === key || id.startsWith(`${key}-`))?.[1];
	const perSearch = tools.includes('web_search') ? (fixed ?? TOOL_FEES.web_search.inputTokensPerCall ?? 0) : 0;
	return { usd: fee * maxCalls, inputTokens: perSearch * maxCalls };
}

/**
 * How a request is billed: the service tier the answer reports (or the one asked for),
 * and Batch for the Batch API.
 */
export type PriceTier = 'standard' | 'flex' | 'batch' | 'priority';

/** A user's own price for a model (Price Overrides). */
export interface PriceOverride extends ModelPrice {
	maxOutput?: number;
}

export interface PriceMatch {
	price: ModelPrice;
	/** The table or override row that matched. */
	matched: string;
	source: 'override' | 'table';
	tier: PriceTier;
	maxOutput?: number;
	/** Set when the tier's own price is not known and the standard price was used. */
	tierNote?: string;
}

function half(price: ModelPrice): ModelPrice {
	return {
		input: price.input / 2,
		output: price.output / 2,
		...(price.cachedInput !== undefined ? { cachedInput: price.cachedInput / 2 } : {}),
	};
}

/** The tier the API reports ("default", "auto", "scale"…) as a price tier. */
export function tierOf(serviceTier: unknown): PriceTier {
	if (serviceTier === 'flex') return 'flex';
	if (serviceTier === 'priority') return 'priority';
	if (serviceTier === 'batch') return 'batch';
	return 'standard';
}

function priceForTier(row: ModelRow, source: 'override' | 'table', tier: PriceTier): { price: ModelPrice; tierNote?: string } {
	const base: ModelPrice = { input: row.input, output: row.output, ...(row.cachedInput !== undefined ? { cachedInput: row.cachedInput } : {}) };
	if (tier === 'batch') return { price: half(base) };
	if (tier === 'flex') {
		if (source === 'override' || row.flex) return { price: half(base) };
		return { price: base, tierNote: 'This model is not known to be offered on Flex; priced at the standard rate.' };
	}
	if (tier === 'priority') {
		if (row.priority) return { price: row.priority };
		if (source === 'override') return { price: base };
		return {
			price: { input: base.input * 2, output: base.output * 2, cachedInput: (base.cachedInput ?? base.input) * 2 },
			tierNote: 'No Priority price is known for this model; priced at twice the standard rate as an estimate.',
		};
	}
	return { price: base };
}

/**
 * Exact row first, then the longest row the model ID extends at a "-" boundary,
 * so dated snapshots ("gpt-4o-mini-2024-07-18") and variants ("gpt-5-chat-latest")
 * find their family. Fine-tuned models ("ft:…") are priced differently: only an override matches.
 */
export function findPrice(model: string, overrides: Readonly<Record<string, PriceOverride>> = {}, tier: PriceTier = 'standard'): PriceMatch | undefined {
	const id = normaliseModel(model);
	const tables = [
		[overrides, 'override'],
		[PRICES, 'table'],
	] as const;
	for (const [table, source] of tables) {
		if (source === 'table' && (id === '' || id.startsWith('ft:'))) break;
		const keys = Object.keys(table).map((key) => [key, normaliseModel(key)] as const);
		const exact = keys.find(([, key]) => key === id);
		const family = exact ?? keys.filter(([, key]) => id.startsWith(`${key}-`)).sort((a, b) => b[1].length - a[1].length)[0];
		if (family) {
			const row = table[family[0]] as ModelRow;
			const { price, tierNote } = priceForTier(row, source, tier);
			return { price, matched: family[0], source, tier, maxOutput: row.maxOutput, ...(tierNote ? { tierNote } : {}) };
		}
	}
	return undefined;
}

export interface TokenCounts {
	/** All input tokens, cached ones included (OpenAI's prompt_tokens). */
	inputTokens: number;
	/** The part of inputTokens read from the prompt cache. */
	cachedInputTokens?: number;
	/** All output tokens, reasoning included (OpenAI's completion_tokens). */
	outputTokens: number;
	/** The part of outputTokens spent on reasoning; reported, billed as output. */
	reasoningTokens?: number;
}

export interface CostBreakdown {
	inputUsd: number;
	cachedInputUsd: number;
	outputUsd: number;
	totalUsd: number;
}

/** Dollar amounts at 10 decimals: beyond any real bill, below any visible noise. */
const round = (value: number): number => Math.round(value * 1e10) / 1e10;

export function costOf(tokens: TokenCounts, price: ModelPrice): CostBreakdown {
	const cached = Math.min(Math.max(0, tokens.cachedInputTokens ?? 0), tokens.inputTokens);
	const uncached = Math.max(0, tokens.inputTokens - cached);
	const inputUsd = (uncached * price.input) / 1e6;
	const cachedInputUsd = (cached * (price.cachedInput ?? price.input)) / 1e6;
	const outputUsd = (Math.max(0, tokens.outputTokens) * price.output) / 1e6;
	return {
		inputUsd: round(inputUsd),
		cachedInputUsd: round(cachedInputUsd),
		outputUsd: round(outputUsd),
		totalUsd: round(inputUsd + cachedInputUsd + outputUsd),
	};
}

function count(value: unknown): number | undefined {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Token counts from OpenAI's `usage` object (chat and Responses names), or from the flat
 * fields this package's Chat node outputs (promptTokens, completionTokens, cachedTokens…).
 */
export function tokensFromUsage(usage: unknown): TokenCounts | undefined {
	if (!usage || typeof usage !== 'object') return undefined;
	const u = usage as Record<string, unknown>;
	const input = count(u.prompt_tokens) ?? count(u.input_tokens) ?? count(u.promptTokens);
	const output = count(u.completion_tokens) ?? count(u.output_tokens) ?? count(u.completionTokens);
	if (input === undefined && output === undefined) return undefined;
	const inputDetails = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | undefined;
	const outputDetails = (u.completion_tokens_details ?? u.output_tokens_details) as Record<string, unknown> | undefined;
	return {
		inputTokens: input ?? 0,
		outputTokens: output ?? 0,
		cachedInputTokens: count(inputDetails?.cached_tokens) ?? count(u.cachedTokens) ?? 0,
		reasoningTokens: count(outputDetails?.reasoning_tokens) ?? count(u.reasoningTokens) ?? 0,
	};
}

export interface UsageCost extends CostBreakdown {
	tokens: TokenCounts;
	match: PriceMatch;
	/** Built-in tool fees, in totalUsd. */
	toolsUsd?: number;
	/** The built-in tool calls they are for. */
	toolUse?: Record<string, number>;
}

/** The cost of an answer: its model's price (override, table) at its tier, times its usage. */
export function costOfUsage(
	model: string,
	usage: unknown,
	overrides: Readonly<Record<string, PriceOverride>> = {},
	tier: PriceTier = 'standard',
): UsageCost | undefined {
	const tokens = tokensFromUsage(usage);
	const match = findPrice(model, overrides, tier);
	if (!tokens || !match) return undefined;
	return { ...costOf(tokens, match.price), tokens, match };
}

/** What an answer says that prices it: the model that answered, its service tier, its usage. */
export interface BilledAs {
	model?: string;
	serviceTier?: string;
	usage?: unknown;
	/** Built-in tool calls the answer made, by tool. */
	toolUse?: Record<string, number>;
}

/** The model and tier an answer was billed at: the answer's, else the request's. */
export function answeredAs(answer: Pick<BilledAs, 'model' | 'serviceTier'>, request: { model: string; tier: PriceTier }): { model: string; tier: PriceTier } {
	return { model: answer.model || request.model, tier: answer.serviceTier !== undefined ? tierOf(answer.serviceTier) : request.tier };
}

/**
 * The cost of an answer: at the model and tier the answer names, else the request's (a
 * dated snapshot unknown to the table falls back to the model asked for). The one place of
 * that rule, for the spend cap's settlement, the answer's fields and Batch results alike.
 */
export function priceAnswer(
	answer: BilledAs,
	request: { model: string; tier: PriceTier; overrides: Readonly<Record<string, PriceOverride>> },
): UsageCost | undefined {
	const { model, tier } = answeredAs(answer, request);
	const cost = costOfUsage(model, answer.usage, request.overrides, tier) ?? costOfUsage(request.model, answer.usage, request.overrides, tier);
	const toolsUsd = toolFeesOf(answer.toolUse);
	if (!cost || toolsUsd === 0) return cost;
	return { ...cost, toolsUsd, toolUse: { ...answer.toolUse } as Record<string, number>, totalUsd: round(cost.totalUsd + toolsUsd) };
}

export interface WorstCase {
	usd: number;
	match: PriceMatch;
	/** The output allowance the worst case assumes. */
	outputTokens: number;
}

/**
 * The most a request can cost: all its input at the uncached input price, plus Max Tokens
 * (or the model's output limit) at the output price. Undefined when the model's price, or
 * its output limit without Max Tokens, is unknown: such a request cannot be capped safely.
 */
export function worstCaseCost(
	model: string,
	inputTokens: number,
	maxOutputTokens: number | undefined,
	overrides: Readonly<Record<string, PriceOverride>> = {},
	tier: PriceTier = 'standard',
): WorstCase | undefined {
	const match = findPrice(model, overrides, tier);
	if (!match) return undefined;
	const outputTokens = maxOutputTokens ?? match.maxOutput;
	if (outputTokens === undefined) return undefined;
	// Rounded up, so that no billed answer can come out above its reservation.
	const usd = (inputTokens * match.price.input + outputTokens * match.price.output) / 1e6 + 1e-9;
	return { usd, match, outputTokens };
}
