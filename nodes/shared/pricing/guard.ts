/**
 * What the transport needs to keep a request within the execution's spend cap: its
 * worst-case cost before sending, and its billed cost from the answer's usage.
 */
import { formatUsd } from '../format';
import { fieldError, type ParameterContext } from '../parameters';
import type { CostGuard } from '../transport/client';
import { costOfUsage, tierOf, worstCaseCost, type PriceOverride, type PriceTier } from './prices';

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
}

/**
 * The cost guard of one request. With a cap, a model whose worst case is unknown is
 * refused before anything is sent: it cannot be capped safely.
 */
export function spendGuard(ctx: ParameterContext, itemIndex: number, spec: GuardSpec): CostGuard {
	const worst = worstCaseCost(spec.model, spec.inputTokens, spec.maxOutputTokens, spec.overrides, spec.tier);
	if (spec.capUsd > 0 && !worst) {
		const priced = worstCaseCost(spec.model, spec.inputTokens, 1, spec.overrides, spec.tier);
		throw fieldError(
			ctx,
			itemIndex,
			'Max Spend per Execution (USD)',
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
	return {
		worstCaseUsd: worst?.usd ?? 0,
		capUsd: spec.capUsd,
		...(worst
			? {
					detail: {
						model: spec.model,
						inputTokens: spec.inputTokens,
						outputTokens: worst.outputTokens,
						outputFrom: spec.maxOutputTokens !== undefined ? 'max_tokens' : 'model_limit',
						inputUsd: (spec.inputTokens * worst.match.price.input) / 1e6,
						usdPerOutputToken: worst.match.price.output / 1e6,
					},
				}
			: {}),
		billedUsd: (body) => {
			const model = typeof body.model === 'string' && body.model ? body.model : spec.model;
			const tier = body.service_tier !== undefined ? tierOf(body.service_tier) : spec.tier;
			const cost =
				costOfUsage(model, body.usage, spec.overrides, tier) ?? costOfUsage(spec.model, body.usage, spec.overrides, tier);
			return cost && { usd: cost.totalUsd, inputTokens: cost.tokens.inputTokens, outputTokens: cost.tokens.outputTokens };
		},
	};
}
