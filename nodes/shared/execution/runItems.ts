/**
 * Runs one async job per input item with at most `concurrency` in flight.
 * Results come back in input order, whatever order the jobs finish in.
 * Each job runs once: a job that succeeded is never started again.
 * When an item fails and the node does not continue on fail, no new jobs start;
 * jobs already in flight finish (they are already paid for), then the failure of
 * the lowest item index is reported. Failures that are not fatal (an item the spend
 * cap did not allow) let the others go on.
 */
export type ItemOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RunItemsOptions {
	concurrency: number;
	continueOnFail: boolean;
	signal?: AbortSignal;
	/** Whether a failure stops the run when not continuing on fail; every failure does by default. */
	isFatal?: (error: unknown) => boolean;
	/** Failures after which no new item starts, even when continuing on fail (the spend cap's Stop the Workflow). */
	stopsRun?: (error: unknown) => boolean;
}

export async function runItems<T>(count: number, job: (itemIndex: number) => Promise<T>, options: RunItemsOptions): Promise<Array<ItemOutcome<T>>> {
	const outcomes: Array<ItemOutcome<T>> = new Array(count);
	let next = 0;
	let stop = false;

	const lane = async (): Promise<void> => {
		while (!stop && next < count) {
			if (options.signal?.aborted) {
				stop = true;
				return;
			}
			const index = next++;
			try {
				outcomes[index] = { ok: true, value: await job(index) };
			} catch (error) {
				outcomes[index] = { ok: false, error };
				if (!options.continueOnFail && (options.isFatal?.(error) ?? true)) stop = true;
				if (options.stopsRun?.(error)) stop = true;
			}
		}
	};

	const lanes = Math.max(1, Math.min(Math.floor(options.concurrency) || 1, count));
	await Promise.all(Array.from({ length: lanes }, async () => await lane()));
	return outcomes;
}

/** The failure to report when the node stops: the one of the lowest item index. */
export function firstFailure<T>(
	outcomes: Array<ItemOutcome<T>>,
	isFatal: (error: unknown) => boolean = () => true,
): { index: number; error: unknown } | undefined {
	for (let index = 0; index < outcomes.length; index++) {
		const outcome = outcomes[index];
		if (outcome && !outcome.ok && isFatal(outcome.error)) return { index, error: outcome.error };
	}
	return undefined;
}
