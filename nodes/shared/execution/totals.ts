/**
 * The execution's totals, where n8n shows them: the tokens of this node run in the
 * execution's metadata (n8n's logs panel sums them), and the execution's spend in its custom
 * data (the ledger writes it, see limits/spendCap.ts).
 */
import * as workflow from 'n8n-workflow';
import type { IExecuteFunctions, ISupplyDataFunctions } from 'n8n-workflow';

import { saveLedger, type ExecutionSpend } from '../limits/spendCap';
import type { RunStats } from '../transport/client';

type Accumulate = (ctx: IExecuteFunctions, inputTokens: number, outputTokens: number) => void;

/** n8n-workflow's accumulateTokenUsage, when the running n8n has it (2.x). */
function accumulator(): Accumulate | undefined {
	const candidate = (workflow as unknown as { accumulateTokenUsage?: unknown }).accumulateTokenUsage;
	return typeof candidate === 'function' ? (candidate as Accumulate) : undefined;
}

export function recordTotals(
	ctx: IExecuteFunctions | ISupplyDataFunctions,
	stats: Pick<RunStats, 'inputTokens' | 'outputTokens'>,
	ledger: ExecutionSpend,
): void {
	const accumulate = accumulator();
	const context = ctx as Partial<IExecuteFunctions>;
	if (
		accumulate &&
		(stats.inputTokens > 0 || stats.outputTokens > 0) &&
		typeof context.getExecuteData === 'function' &&
		typeof context.setMetadata === 'function'
	) {
		try {
			accumulate(ctx as IExecuteFunctions, stats.inputTokens, stats.outputTokens);
		} catch {
			// Metadata is a convenience: a context without it must not fail the node.
		}
	}
	saveLedger(ctx, ledger);
}
