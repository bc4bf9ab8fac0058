/**
 * Waiting for batches inside the execution: polls each until it ends, at the interval set,
 * up to Max Wait. Cancelling the execution stops the wait at once.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import { formatDuration } from '../../shared/format';
import { waitUnlessCancelled } from '../../shared/http/backoff';
import type { OpenAiClient } from '../../shared/transport/client';
import { FINAL_STATES, getBatch, type Batch } from './api';

export interface WaitSettings {
	pollMs: number;
	maxWaitMs: number;
}

export async function waitForBatches(client: OpenAiClient, node: INode, batches: Batch[], settings: WaitSettings, now: () => number): Promise<Batch[]> {
	const started = now();
	const current = [...batches];
	for (;;) {
		for (let i = 0; i < current.length; i++) {
			if (!FINAL_STATES.includes(current[i].status)) current[i] = await getBatch(client, current[i].id, 0);
		}
		if (current.every((batch) => FINAL_STATES.includes(batch.status))) return current;
		if (now() - started >= settings.maxWaitMs) {
			const open = current.filter((batch) => !FINAL_STATES.includes(batch.status));
			throw new NodeOperationError(node, `Batch not finished within Max Wait (${formatDuration(settings.maxWaitMs)})`, {
				itemIndex: 0,
				description: `Still running: ${open.map((b) => `${b.id} (${b.status}, ${b.request_counts?.completed ?? 0} of ${b.request_counts?.total ?? '?'} done)`).join(', ')}. The batch goes on at OpenAI: collect its results later with the Get Results operation and this batch ID, or raise Max Wait.`,
			});
		}
		await waitUnlessCancelled(Math.min(settings.pollMs, Math.max(0, settings.maxWaitMs - (now() - started))), client.signal);
	}
}
