/**
 * Background mode of the Responses API (OpenAI's guide "Background mode"): the request is
 * sent once with `background: true`, and the answer is polled with GET /responses/{id} until
 * it is done. A long answer then survives a dropped connection: a poll that fails is retried
 * by the transport like any request, and the POST is never sent again. The Timeout bounds the
 * whole wait. Stopping the execution, or the Timeout running out, cancels the response
 * (POST /responses/{id}/cancel), so OpenAI stops working on it.
 *
 * The spend cap: the POST only queues the answer, so it settles at $0 and the request's worst
 * case is held under the response's id (as a submitted batch is) until the answer is priced.
 * A cancelled response keeps its hold: what it cost until then is not known.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { CancelledError, waitUnlessCancelled } from '../http/backoff';
import type { CallResult, OpenAiClient } from '../transport/client';
import { cancelledError } from '../transport/errors';
import { sendOptions, type ModelCall } from './call';

/** Statuses after which a response changes no more. */
const TERMINAL = new Set(['completed', 'failed', 'incomplete', 'cancelled']);
/** The first poll this long after the POST's answer; each next one later by the factor, up to the most. */
const FIRST_POLL_MS = 500;
const POLL_GROWTH = 1.5;
const MAX_POLL_MS = 5_000;

const isDone = (body: Record<string, unknown>): boolean => typeof body.status === 'string' && TERMINAL.has(body.status);

export async function callInBackground(
	client: OpenAiClient,
	call: ModelCall,
	itemIndex: number,
	target: { isOpenAi: boolean },
): Promise<CallResult<Record<string, unknown>>> {
	const started = Date.now();
	const options = sendOptions(call, itemIndex, target);
	const guard = call.cost;
	const created = await client.call<Record<string, unknown>>({
		...options,
		body: { ...(options.body as IDataObject), background: true },
		cost: { ...guard, billedUsd: (body) => (isDone(body) ? guard.billedUsd(body) : { usd: 0 }) },
	});
	if (isDone(created.body)) return created;
	const id = String(created.body.id);
	client.spend.hold(id, guard.worstCaseUsd);
	let retries = created.retries;
	const retryLog = [...created.retryLog];
	let waitedMs = created.waitedMs;
	let pollMs = FIRST_POLL_MS;
	try {
		for (;;) {
			if (Date.now() + pollMs - started > client.timeoutMs) {
				const waited = ((Date.now() - started) / 1000).toFixed(0);
				throw new NodeOperationError(client.node, `The background answer ${id} was not ready within the Timeout: waited ${waited} s`, {
					itemIndex,
					description: `It was cancelled at OpenAI. Raise Timeout (Seconds) in the Request Settings for answers this long (background mode waits up to the Timeout in all). Response ID: ${id}.`,
				});
			}
			await waitUnlessCancelled(pollMs, client.signal);
			pollMs = Math.min(MAX_POLL_MS, pollMs * POLL_GROWTH);
			const polled = await client.call<Record<string, unknown>>({
				method: 'GET',
				path: `/responses/${id}`,
				itemIndex,
				shape: call.wire.shape,
				model: call.input.model,
			});
			retries += polled.retries;
			retryLog.push(...polled.retryLog);
			waitedMs += polled.waitedMs;
			if (!isDone(polled.body)) continue;
			client.spend.releaseHold(id);
			const billed = guard.billedUsd(polled.body);
			if (billed) client.recordBilled(billed);
			return {
				...polled,
				requestId: created.requestId ?? polled.requestId,
				retries,
				retryLog,
				waitedMs,
				elapsedMs: Date.now() - started,
				...(billed ? { billedUsd: billed.usd } : {}),
			};
		}
	} catch (error) {
		// Stopped, out of time, or a poll that failed for good: OpenAI would go on working (and billing).
		await client.sendRegardless(`/responses/${id}/cancel`);
		throw error instanceof CancelledError ? cancelledError(client.node, itemIndex) : error;
	}
}

/** One model call, answered: sent and awaited, or, in background mode, sent once and polled until done. */
export async function callModel(client: OpenAiClient, call: ModelCall, itemIndex: number, background: boolean): Promise<CallResult<Record<string, unknown>>> {
	const target = { isOpenAi: client.isOpenAi };
	return background
		? await callInBackground(client, call, itemIndex, target)
		: await client.call<Record<string, unknown>>(sendOptions(call, itemIndex, target));
}
