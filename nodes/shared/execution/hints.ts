/**
 * What the output pane says after a run, for what a user can't see at a glance in the
 * table: items that needed retries and how long they waited, items that failed, items the
 * spend cap did not allow.
 */
import type { IExecuteFunctions, NodeExecutionHint } from 'n8n-workflow';

import { formatDuration, formatUsd, plural } from '../format';
import type { RunStats } from '../transport/client';
import { SpendCapReachedError } from '../transport/errors';
import type { ItemOutcome } from './runItems';

export interface HintFigures {
	stats: RunStats;
	/** The execution's spend and cap, when a cap refused items. */
	spentUsd?: number;
	/** How long the API was unavailable (the key's outage pause) while the node ran. */
	unavailableMs?: number;
}

function firstReason<T>(outcomes: Array<ItemOutcome<T>>, skip: (error: unknown) => boolean): string | undefined {
	for (const outcome of outcomes) {
		if (outcome && !outcome.ok && !skip(outcome.error)) {
			return outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
		}
	}
	return undefined;
}

/**
 * The hints for one node run: what it cost in all, and what its items went through
 * (retries, failures, the spend cap). A run without answers or cost says nothing.
 */
export function runHints<T>(outcomes: Array<ItemOutcome<T>>, figures: HintFigures): NodeExecutionHint[] {
	const total = outcomes.length;
	const notSent = outcomes.filter((o) => o && !o.ok && o.error instanceof SpendCapReachedError);
	const failed = outcomes.filter((o) => !o || (!o.ok && !(o.error instanceof SpendCapReachedError))).length;
	const answered = outcomes.filter((o) => o && o.ok).length;
	const hints: NodeExecutionHint[] = [];
	const { stats } = figures;
	const reason = firstReason(outcomes, (error) => error instanceof SpendCapReachedError);
	const failures = failed ? `${plural(failed, 'item')} failed${reason ? `, the first with: ${reason}` : ''}` : '';
	const cost = stats.costUsd > 0 ? `, ${formatUsd(stats.costUsd)} in all` : '';
	if (figures.unavailableMs && figures.unavailableMs >= 1000) {
		hints.push({
			message: `The API was unavailable for ${formatDuration(figures.unavailableMs)}; every request on this key waited, and one check at a time looked whether it was back. ${failed ? failures.charAt(0).toUpperCase() + failures.slice(1) : answered === total ? 'Every item was answered' : `${answered} of ${plural(total, 'item')} answered`}${cost}.`,
			type: failed ? 'warning' : 'info',
			location: 'outputPane',
		});
	} else if (stats.itemsRetried.size > 0) {
		hints.push({
			message: `${plural(total, 'item')}${cost}. ${stats.itemsRetried.size} of ${plural(total, 'item')} needed a retry (${plural(stats.retries, 'retry', 'retries')}, ${formatDuration(stats.waitedMs)} of waiting); ${failed ? failures : 'all answered'}. Each item's retries and retryLog show the details.`,
			type: failed ? 'warning' : 'info',
			location: 'outputPane',
		});
	} else if (failed) {
		hints.push({
			message: `${plural(total, 'item')}${cost}. ${failures.charAt(0).toUpperCase()}${failures.slice(1)}.`,
			type: 'warning',
			location: 'outputPane',
		});
	} else if (answered > 0 && cost) {
		hints.push({
			message: `${answered === total ? `${plural(total, 'item')} answered` : `${answered} of ${plural(total, 'item')} answered`}${cost}.`,
			type: 'info',
			location: 'outputPane',
		});
	}
	if (notSent.length) {
		const error = (notSent[0] as { error: SpendCapReachedError }).error;
		const spent = figures.spentUsd !== undefined ? `${formatUsd(figures.spentUsd)} spent of ` : '';
		hints.push({
			message: `Spend cap reached: ${notSent.length} of ${plural(total, 'item')} were not sent (${spent}the ${formatUsd(error.figures.capUsd)} cap of this execution). They are error items with notSent: true, so a later run can send them.`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	return hints;
}

/** Adds the hints to the output pane, where n8n supports it. */
export function addRunHints<T>(ctx: IExecuteFunctions, outcomes: Array<ItemOutcome<T>>, figures: HintFigures): void {
	const hints = runHints(outcomes, figures);
	if (hints.length && typeof ctx.addExecutionHints === 'function') ctx.addExecutionHints(...hints);
}
