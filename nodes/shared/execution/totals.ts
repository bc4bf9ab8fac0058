/**
 * The execution's totals, where n8n shows them: the tokens of this node run in the
 * execution's metadata (n8n's logs panel sums them), and the execution's running cost in
 * its custom data as `openaiCostUsd`, readable downstream and in error workflows.
 */
import * as workflow from 'n8n-workflow';
import type { IExecuteFunctions, ISupplyDataFunctions } from 'n8n-workflow';

import { roundUsd } from '../format';
import type { RunStats } from '../transport/client';

/** The custom-data key of the execution's cost. */
export const COST_KEY = 'openaiCostUsd';

type Accumulate = (ctx: IExecuteFunctions, inputTokens: number, outputTokens: number) => void;

/** n8n-workflow's accumulateTokenUsage, when the running n8n has it (2.x). */
function accumulator(): Accumulate | undefined {
	const candidate = (workflow as unknown as { accumulateTokenUsage?: unknown }).accumulateTokenUsage;
	return typeof candidate === 'function' ? (candidate as Accumulate) : undefined;
}

export function recordTotals(
	ctx: IExecuteFunctions | ISupplyDataFunctions,
	figures: { stats: Pick<RunStats, 'inputTokens' | 'outputTokens'>; executionCostUsd: number },
): void {
	const accumulate = accumulator();
	const context = ctx as Partial<IExecuteFunctions>;
	if (
		accumulate &&
		(figures.stats.inputTokens > 0 || figures.stats.outputTokens > 0) &&
		typeof context.getExecuteData === 'function' &&
		typeof context.setMetadata === 'function'
	) {
		try {
			accumulate(ctx as IExecuteFunctions, figures.stats.inputTokens, figures.stats.outputTokens);
		} catch {
			// Metadata is a convenience: a context without it must not fail the node.
		}
	}
	const custom = context.customData;
	if (custom && typeof custom.set === 'function') {
		try {
			custom.set(COST_KEY, String(roundUsd(figures.executionCostUsd)));
		} catch {
			// n8n refuses custom data in some contexts; the items carry the figures anyway.
		}
	}
}
