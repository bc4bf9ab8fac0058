/**
 * What the transport needs to keep a request within the execution's spend cap: its
 * worst-case cost before sending, and its billed cost from the answer's usage.
 */
import { formatUsd } from '../format';
import type { WorstCaseDetail } from '../limits/spendCap';
import { fieldError, type ParameterContext } from '../parameters';
import type { CostGuard } from '../transport/client';
import { priceAnswer, toolWorstCase, worstCaseCost, type BilledAs, type PriceOverride, type PriceTier } from './prices';

export interface GuardSpec {
	model: string;
	/** Everything the request sends, counted exactly: text, images, files. */
	inputTokens: number;
	/** Max Tokens as sent; undefined means the model's own output limit. */
	maxOutputTokens?: number;
	tier: PriceTier;
	overrides: Record<string, PriceOverride>;
	/** Max Spend per Execution; 0 means no cap. */
	capUsd: number;
	/** Built-in tools on, and the most calls the request lets them make. */
	tools?: { types: string[]; maxCalls: number };
}

const CAP_FIELD = 'Max Spend per Execution (USD)';

/**
 * The most one request can cost, and what that is made of. With a cap, a model whose worst
 * case is unknown (no price, or no output limit without Max Tokens) is refused before anything
 * is sent: it cannot be capped safely. The one place of that rule, for single requests and for
 * every line of a batch.
 */
export function worstCase(ctx: ParameterContext, itemIndex: number, spec: GuardSpec): { usd: number; detail?: WorstCaseDetail } {
	const worst = worstCaseCost(spec.model, spec.inputTokens, spec.maxOutputTokens, spec.overrides, spec.tier);
	if (!worst) {
		if (spec.capUsd <= 0) return { usd: 0 };
		const priced = worstCaseCost(spec.model, spec.inputTokens, 1, spec.overrides, spec.tier);
		throw fieldError(
			ctx,
			itemIndex,
			CAP_FIELD,
			priced
				? `the longest answer "${spec.model}" can give is unknown, so its cost cannot be capped at ${formatUsd(spec.capUsd)}`
				: `no price is known for "${spec.model}", so its cost cannot be capped at ${formatUsd(spec.capUsd)}`,
			{
				description: priced
					? 'Set Max Tokens in the Options, or give the model a Max Output Tokens under Price Overrides.'
					: 'Give the model a price under Price Overrides (USD per 1M tokens, with its Max Output Tokens or a Max Tokens option), or set Max Spend per Execution to 0.',
			},
		);
	}
	// Built-in tools: Max Tool Calls × the dearest fee, and the input a search may add at the input price.
	const tools = spec.tools ? toolWorstCase(spec.model, spec.tools.types, spec.tools.maxCalls) : { usd: 0, inputTokens: 0 };
	const toolsUsd = tools.usd + (tools.inputTokens * worst.match.price.input) / 1e6;
	return {
		usd: worst.usd + toolsUsd,
		detail: {
			model: spec.model,
			inputTokens: spec.inputTokens,
			outputTokens: worst.outputTokens,
			outputFrom: spec.maxOutputTokens !== undefined ? 'max_tokens' : 'model_limit',
			inputUsd: (spec.inputTokens * worst.match.price.input) / 1e6,
			usdPerOutputToken: worst.match.price.output / 1e6,
			...(spec.tools && toolsUsd > 0 ? { toolsUsd, maxToolCalls: spec.tools.maxCalls } : {}),
		},
	};
}

/**
 * The cost guard of one request: its worst case, and how its answer is billed (`billing` reads
 * what prices an answer on the request's wire format).
 */
export function spendGuard(ctx: ParameterContext, itemIndex: number, spec: GuardSpec, billing: (body: Record<string, unknown>) => BilledAs): CostGuard {
	const worst = worstCase(ctx, itemIndex, spec);
	return {
		worstCaseUsd: worst.usd,
		capUsd: spec.capUsd,
		...(worst.detail ? { detail: worst.detail } : {}),
		billedUsd: (body) => {
			const cost = priceAnswer(billing(body), spec);
			return cost && { usd: cost.totalUsd, inputTokens: cost.tokens.inputTokens, outputTokens: cost.tokens.outputTokens };
		},
	};
}
