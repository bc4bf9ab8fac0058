/**
 * The built-in price table and cost arithmetic, shared by the Chat node (costUsd on
 * every answer) and the Usage node (Estimate Cost, Count Tokens, budgets).
 *
 * Prices are USD per 1 million tokens, standard (not Batch or Flex) tier, from
 * OpenAI's pricing page. A test compares every row with @pydantic/genai-prices.
 */

export const PRICE_TABLE_DATE = '2026-11-01';

export interface ModelPrice {
	/** USD per 1M uncached input tokens. */
	input: number;
	/** USD per 1M cached input tokens; the input price when the model has no cache discount. */
	cachedInput?: number;
	/** USD per 1M output tokens (reasoning tokens are billed as output). */
	output: number;
}

export const PRICES: Readonly<Record<string, ModelPrice>> = {
	'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
	'gpt-5.2-pro': { input: 21, output: 168 },
	'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
	'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
	'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
	'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
	'gpt-5-pro': { input: 15, output: 120 },
	'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
	'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
	'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
	'gpt-4.5-preview': { input: 75, cachedInput: 37.5, output: 150 },
	'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
	'gpt-4o-2024-05-13': { input: 5, output: 15 },
	'chatgpt-4o-latest': { input: 5, output: 15 },
	'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
	o1: { input: 15, cachedInput: 7.5, output: 60 },
	'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
	'o1-pro': { input: 150, output: 600 },
	o3: { input: 2, cachedInput: 0.5, output: 8 },
	'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
	'o3-pro': { input: 20, output: 80 },
	'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
	'gpt-4-turbo': { input: 10, output: 30 },
	'gpt-4': { input: 30, output: 60 },
	'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
};

export interface PriceMatch {
	price: ModelPrice;
	/** The table or override row that matched. */
	matched: string;
	source: 'override' | 'table';
}

function normalise(model: string): string {
	return model.trim().toLowerCase().replace(/^openai\//, '');
}

/**
 * Exact row first, then the longest row the model ID extends at a "-" boundary,
 * so dated snapshots ("gpt-4o-mini-2024-07-18") and variants ("gpt-5-chat-latest")
 * find their family. Fine-tuned models ("ft:…") are priced differently: no match.
 */
export function findPrice(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): PriceMatch | undefined {
	const id = normalise(model);
	if (id === '' || id.startsWith('ft:')) {
		const override = overrides[id];
		return override ? { price: override, matched: id, source: 'override' } : undefined;
	}
	for (const [table, source] of [
		[overrides, 'override'],
		[PRICES, 'table'],
	] as const) {
		const keys = Object.keys(table).map((key) => [key, normalise(key)] as const);
		const exact = keys.find(([, key]) => key === id);
		if (exact) return { price: table[exact[0]], matched: exact[0], source };
		const family = keys
			.filter(([, key]) => id.startsWith(`${key}-`))
			.sort((a, b) => b[1].length - a[1].length)[0];
		if (family) return { price: table[family[0]], matched: family[0], source };
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

/** Reads OpenAI's chat `usage` object (and the Responses API's names) into TokenCounts. */
export function tokensFromUsage(usage: unknown): TokenCounts | undefined {
	if (!usage || typeof usage !== 'object') return undefined;
	const u = usage as Record<string, unknown>;
	const input = count(u.prompt_tokens) ?? count(u.input_tokens);
	const output = count(u.completion_tokens) ?? count(u.output_tokens);
	if (input === undefined && output === undefined) return undefined;
	const inputDetails = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | undefined;
	const outputDetails = (u.completion_tokens_details ?? u.output_tokens_details) as Record<string, unknown> | undefined;
	return {
		inputTokens: input ?? 0,
		outputTokens: output ?? 0,
		cachedInputTokens: count(inputDetails?.cached_tokens) ?? 0,
		reasoningTokens: count(outputDetails?.reasoning_tokens) ?? 0,
	};
}
