/**
 * The one door to the API. Every request of every node goes through OpenAiClient.call():
 * credential checks, auth (via httpRequestWithAuthentication), the spend cap, the shared
 * rate limit, a hard deadline per attempt, the answer's shape, retry with backoff, and the
 * mapping of failures to messages a non-coder can act on.
 */
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type ISupplyDataFunctions,
} from 'n8n-workflow';

import { formatDuration } from '../format';
import { executionFailures, rateLimitIdentity } from '../limits/registry';
import { rateLimiters, type KeyRateLimiter, type Permit, type ReleaseEvents } from '../limits/rateLimiter';
import { ledgerOf, SpendCapError, type ExecutionSpend, type SpendReservation, type WorstCaseDetail } from '../limits/spendCap';
import { authHeaders } from '../../../credentials/common';
import { CancelledError, DeadlineError, retryDelay, waitUnlessCancelled, withinDeadline, type RetrySettings } from '../http/backoff';
import { checkCredential, CredentialCheckError, type CheckedCredential, type KeyKind } from '../http/credentialChecks';
import { cancelledError, cappedWaitNote, failureError, shortReason, spendCapReached } from './errors';
import {
	describeDeadline,
	describeHttpFailure,
	describeNetworkFailure,
	describeUnusableAnswer,
	hasErrorObject,
	hostOf,
	type Failure,
	type FailureContext,
} from '../http/failures';
import { parseRateLimitHeaders, requestIdOf, retryAfterMs, retryHintFromMessage, type HeaderBag, type RateLimitSnapshot } from '../http/headers';
import { redactSecrets } from '../http/redact';
import type { MultipartBody } from '../http/multipart';
import { hasShape, type AnswerShape } from '../http/shapes';
import { readAll, readEvents, type ChunkSource } from '../http/sse';

export type CredentialType = 'openAiReliableApi' | 'openAiReliableAdminApi';

export const CREDENTIAL_KIND: Record<CredentialType, KeyKind> = {
	openAiReliableApi: 'project',
	openAiReliableAdminApi: 'admin',
};

export type ApiContext = IExecuteFunctions | ILoadOptionsFunctions | ISupplyDataFunctions;

/** What a request may cost, for the execution's spend cap. */
export interface CostGuard {
	/** Input at the input price plus the most output it allows at the output price. */
	worstCaseUsd: number;
	/** The node's Max Spend per Execution; 0 means no cap. */
	capUsd: number;
	/** What the worst case is made of, to explain a refusal. */
	detail?: WorstCaseDetail;
	/** The billed cost of a successful answer, from its usage; undefined when it has none. */
	billedUsd: (body: Record<string, unknown>) => { usd: number; inputTokens?: number; outputTokens?: number } | undefined;
}

export interface CallOptions {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path below the Base URL, starting with "/". */
	path: string;
	body?: IDataObject | IDataObject[] | string | object;
	qs?: IDataObject;
	headers?: Record<string, string>;
	itemIndex: number;
	/** The shape a 2xx answer must have. */
	shape: AnswerShape;
	/** Named in error messages, and the bucket rate limits are tracked under. */
	model?: string;
	/** Prompt plus max output, for token-aware pacing. */
	estimatedTokens?: number;
	adminEndpoint?: boolean;
	cost?: CostGuard;
	/** Raw text answer (file contents): no JSON parsing and no shape check. */
	text?: boolean;
	/** A file upload (multipart/form-data, see multipart.ts) instead of a JSON body. */
	upload?: MultipartBody;
	/** Used by stream(): the body comes back as a stream. */
	stream?: boolean;
	/** stream(): how the API's events are told apart (the wire format knows). */
	events?: StreamReader;
}

/** How a streamed answer's events are told apart, per API. */
export interface StreamReader {
	/** The event carries part of the answer (text, a tool call): from then on, no retry. */
	startsAnswer(event: Record<string, unknown>): boolean;
	/** The event carries the usage the answer is billed by. */
	carriesUsage(event: Record<string, unknown>): boolean;
}

export interface CallResult<T> {
	body: T;
	requestId?: string;
	/** Attempts after the first. */
	retries: number;
	/** One line per retry: what failed and how long was waited. */
	retryLog: string[];
	/** Time spent waiting between attempts. */
	waitedMs: number;
	/** Duration of the attempt that succeeded. */
	latencyMs: number;
	/** From the first attempt to the answer, waits included. */
	elapsedMs: number;
	rateLimit: RateLimitSnapshot;
	/** What the answer was billed, when a cost guard priced it. */
	billedUsd?: number;
}

/** What the items of one node run went through, for the output pane's hint. */
export interface RunStats {
	itemsRetried: Set<number>;
	retries: number;
	waitedMs: number;
	/** Billed tokens and dollars of this node run's answers (when priced). */
	inputTokens: number;
	outputTokens: number;
	costUsd: number;
}

interface Prepared {
	spend?: SpendReservation;
	permit?: Permit;
	startedAt: number;
}

interface RetryHistory {
	/** Attempts after the first, probes of an outage included. */
	attempt: number;
	/** Retries that count against Max Retries (not the outage's probes). */
	counted: number;
	maxRetries: number;
	/** When the item's first attempt began, and its Keep Retrying For. */
	startedAt: number;
	budgetMs: number;
	retryLog: string[];
	waitedMs: number;
	cappedNote?: string;
}

function newHistory(settings: RetrySettings): RetryHistory {
	return {
		attempt: 0,
		counted: 0,
		maxRetries: settings.maxRetries,
		startedAt: Date.now(),
		budgetMs: settings.keepRetryingMs ?? Number.POSITIVE_INFINITY,
		retryLog: [],
		waitedMs: 0,
	};
}

/** A streamed event that was an error, or not JSON. */
class StreamFailure extends Error {}

function parseEvent(data: string): Record<string, unknown> | undefined {
	try {
		const value = JSON.parse(data) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

type AttemptOutcome = { kind: 'answer'; status: number; body: unknown; headers: HeaderBag } | { kind: 'network'; error: unknown } | { kind: 'deadline' };

interface RawResponse {
	body: unknown;
	headers: HeaderBag;
	statusCode: number;
}

function cancelSignalOf(ctx: ApiContext): AbortSignal | undefined {
	const candidate = ctx as Partial<IExecuteFunctions>;
	return typeof candidate.getExecutionCancelSignal === 'function' ? candidate.getExecutionCancelSignal() : undefined;
}

/** Without json: true (uploads), the answer may come as text: parse it when JSON was expected. */
function jsonUnlessText(body: unknown, options: CallOptions): unknown {
	if (options.text || options.stream) return body;
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
	if (typeof text !== 'string') return body;
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

let unnamedExecutions = 0;

/** The execution this context belongs to; contexts without one (model search) get their own. */
function executionIdOf(ctx: ApiContext): string {
	const candidate = ctx as Partial<IExecuteFunctions>;
	const id = typeof candidate.getExecutionId === 'function' ? candidate.getExecutionId() : undefined;
	return id ? `execution:${id}` : `unnamed:${++unnamedExecutions}`;
}

export class OpenAiClient {
	private credential?: CheckedCredential;
	private credentialProblem?: CredentialCheckError;
	private limiter?: KeyRateLimiter;
	/** Who shares this key's limits (and its failures), hashed. */
	private identity = '';
	readonly signal?: AbortSignal;
	/** When this client (one node run) began, for the outages it met. */
	readonly createdAt = Date.now();
	readonly executionId: string;
	readonly stats: RunStats = { itemsRetried: new Set(), retries: 0, waitedMs: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

	private constructor(
		private readonly ctx: ApiContext,
		private readonly credentialType: CredentialType,
		private readonly settings: RetrySettings & { capRpm?: number },
	) {
		this.signal = cancelSignalOf(ctx);
		this.executionId = executionIdOf(ctx);
	}

	static async create(ctx: ApiContext, credentialType: CredentialType, settings: RetrySettings & { capRpm?: number }): Promise<OpenAiClient> {
		const client = new OpenAiClient(ctx, credentialType, settings);
		const fields = await ctx.getCredentials(credentialType);
		try {
			const credential = checkCredential(fields, CREDENTIAL_KIND[credentialType]);
			client.credential = credential;
			client.identity = rateLimitIdentity({
				baseUrl: credential.baseUrl,
				apiKey: credential.apiKey,
				organizationId: credential.organizationId,
				projectId: credential.projectId,
			});
			client.limiter = rateLimiters.get(client.identity);
		} catch (error) {
			if (!(error instanceof CredentialCheckError)) {
				throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: 0 });
			}
			client.credentialProblem = error;
		}
		return client;
	}

	/**
	 * A failure every later request of this execution with this key would repeat (wrong key,
	 * no credit…). Kept per execution, not per node run: n8n builds a new model for each item
	 * an AI Agent handles, and a later node of the execution would meet the same answer.
	 */
	private get sharedFailure(): Failure | undefined {
		return executionFailures.get(`${this.executionId}|${this.identity}`).failure;
	}

	private set sharedFailure(failure: Failure | undefined) {
		executionFailures.get(`${this.executionId}|${this.identity}`).failure = failure;
	}

	get node(): INode {
		return this.ctx.getNode();
	}

	get isOpenAi(): boolean {
		return this.credential?.isOpenAi ?? false;
	}

	/** This execution's spend ledger, shared with every node of the package in it. */
	get spend(): ExecutionSpend {
		return ledgerOf(this.ctx, this.executionId);
	}

	/**
	 * A cost that was billed without a request of this client's (a batch's results, read from
	 * its files): into the execution's spend and this node run's totals.
	 */
	recordBilled(billed: { usd: number; inputTokens?: number; outputTokens?: number }): void {
		this.spend.record(billed.usd, billed.inputTokens ?? 0, billed.outputTokens ?? 0);
		this.stats.inputTokens += billed.inputTokens ?? 0;
		this.stats.outputTokens += billed.outputTokens ?? 0;
		this.stats.costUsd += billed.usd;
	}

	redact(text: string): string {
		return redactSecrets(text, [this.credential?.apiKey]);
	}

	/** The Timeout (Request Settings), in ms: per attempt, and the bound of a background answer's whole wait. */
	get timeoutMs(): number {
		return this.settings.timeoutMs;
	}

	/**
	 * One POST that goes out even after the execution was stopped (cancelling a background
	 * response, so OpenAI stops working on it): no retry, no pacing, 10 s at most. Whether the
	 * server took it; failures are not errors. n8n ties every authenticated request to the
	 * execution's cancel signal, so this one carries the credential's headers itself (the same
	 * authHeaders the credential's authenticate uses) through the plain request helper.
	 */
	async sendRegardless(path: string): Promise<boolean> {
		const credential = this.credential;
		if (!credential) return false;
		try {
			const response = (await withinDeadline(
				this.ctx.helpers.httpRequest({
					method: 'POST',
					url: `${credential.baseUrl}${path}`,
					headers: authHeaders({ apiKey: credential.apiKey, organizationId: credential.organizationId, projectId: credential.projectId }),
					json: true,
					body: {},
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					timeout: 10_000,
				}) as Promise<RawResponse>,
				10_000,
			)) as RawResponse;
			return Number(response.statusCode) >= 200 && Number(response.statusCode) < 300;
		} catch {
			return false;
		}
	}

	private credentialError(itemIndex: number): NodeOperationError {
		const { problem } = this.credentialProblem!;
		return new NodeOperationError(this.node, `Credential problem in the ${problem.field} field: ${problem.message}`, {
			itemIndex,
			description: `${problem.description} Nothing was sent to the API. Open the credential to fix it.`,
		});
	}

	private context(options: CallOptions): FailureContext {
		return {
			path: options.path,
			baseUrl: this.credential!.baseUrl,
			model: options.model,
			adminEndpoint: options.adminEndpoint,
			timeoutMs: this.settings.timeoutMs,
		};
	}

	/** One attempt, abandoned at the deadline whatever the server is still sending. */
	private async attempt(options: CallOptions): Promise<AttemptOutcome> {
		const request: IHttpRequestOptions = {
			method: options.method,
			url: `${this.credential!.baseUrl}${options.path}`,
			json: !options.text,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.settings.timeoutMs,
			arrayFormat: 'repeat',
		};
		if (options.text) request.encoding = 'text';
		if (options.stream) {
			// The body asks for a stream itself (the wire format wrote it so).
			request.encoding = 'stream';
			request.json = false;
			request.headers = { ...(request.headers ?? {}), Accept: 'text/event-stream', 'Content-Type': 'application/json' };
			request.body = JSON.stringify(options.body);
		} else if (options.upload !== undefined) {
			request.json = false;
			request.headers = { ...(request.headers ?? {}), 'Content-Type': options.upload.contentType, Accept: 'application/json' };
			request.body = options.upload.body;
		} else if (options.body !== undefined) request.body = options.body as IDataObject;
		if (options.qs) request.qs = options.qs;
		if (options.headers) request.headers = { ...(request.headers ?? {}), ...options.headers };
		if (this.signal) request.abortSignal = this.signal;
		try {
			const response = (await withinDeadline(
				this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, this.credentialType, request) as Promise<RawResponse>,
				this.settings.timeoutMs,
			)) as RawResponse;
			return { kind: 'answer', status: Number(response.statusCode), body: jsonUnlessText(response.body, options), headers: response.headers };
		} catch (error) {
			if (error instanceof DeadlineError) return { kind: 'deadline' };
			return { kind: 'network', error };
		}
	}

	/** A 2xx answer that is what the endpoint promises, or undefined. */
	private usable(options: CallOptions, outcome: AttemptOutcome): boolean {
		if (outcome.kind !== 'answer' || outcome.status < 200 || outcome.status >= 300) return false;
		if (options.text) return typeof outcome.body === 'string';
		return hasShape(outcome.body, options.shape);
	}

	/** A successful call's result, the same for call() and stream(); its retries go into the run's stats. */
	private result<T>(
		body: T,
		headers: HeaderBag,
		options: CallOptions,
		history: RetryHistory,
		done: { prepared: Prepared; started: number; snapshot: RateLimitSnapshot; billedUsd?: number },
	): CallResult<T> {
		this.recordStats(options.itemIndex, history.attempt, history.waitedMs);
		return {
			body,
			requestId: requestIdOf(headers),
			retries: history.attempt,
			retryLog: history.retryLog,
			waitedMs: history.waitedMs,
			latencyMs: Date.now() - done.prepared.startedAt,
			elapsedMs: Date.now() - done.started,
			rateLimit: done.snapshot,
			billedUsd: done.billedUsd,
		};
	}

	private failureOf(options: CallOptions, outcome: AttemptOutcome): Failure {
		const context = this.context(options);
		if (outcome.kind === 'deadline') return describeDeadline(context);
		if (outcome.kind === 'network') return describeNetworkFailure(outcome.error, context);
		if (outcome.status >= 200 && outcome.status < 300) {
			return describeUnusableAnswer(outcome.status, outcome.body, outcome.headers, context);
		}
		return describeHttpFailure(outcome.status, outcome.body, outcome.headers, context);
	}

	/** How long the server asked to wait: retry-after-ms, retry-after, or the hint in a 429 message. */
	private serverHint(failure: Failure): number | undefined {
		return retryAfterMs(failure.headers, Date.now()) ?? (failure.kind === 'rate_limit' ? retryHintFromMessage(failure.upstreamMessage) : undefined);
	}

	private notSentAgain(failure: Failure, itemIndex: number) {
		return failureError(
			this.node,
			failure,
			itemIndex,
			{
				attempts: 0,
				retryLog: [],
				note: 'Not sent: an earlier item of this run already got this answer, and it would repeat for every item.',
			},
			(text) => this.redact(text),
		);
	}

	private async reserveSpend(options: CallOptions): Promise<SpendReservation | undefined> {
		if (!options.cost) return undefined;
		try {
			return await this.spend.reserve(options.cost.worstCaseUsd, options.cost.capUsd, this.signal, options.cost.detail);
		} catch (error) {
			if (error instanceof CancelledError) throw cancelledError(this.node, options.itemIndex);
			if (error instanceof SpendCapError) throw spendCapReached(this.node, error, options.itemIndex);
			throw new NodeOperationError(this.node, error as Error, { itemIndex: options.itemIndex });
		}
	}

	private async acquireSlot(options: CallOptions, history: RetryHistory): Promise<Permit | undefined> {
		if (!this.limiter) return undefined;
		try {
			return await this.limiter.acquire(options.model ?? options.path.split('?')[0], {
				tokens: options.estimatedTokens ?? 0,
				capRpm: this.settings.capRpm,
				signal: this.signal,
				budget: { startedAt: history.startedAt, ms: history.budgetMs },
			});
		} catch (error) {
			if (error instanceof CancelledError) throw cancelledError(this.node, options.itemIndex);
			throw new NodeOperationError(this.node, error as Error, { itemIndex: options.itemIndex });
		}
	}

	/**
	 * Reserves the attempt's worst case and waits for its turn (through the key's outage pause,
	 * if there is one); undone if a shared failure came meanwhile.
	 */
	private async prepare(options: CallOptions, history: RetryHistory): Promise<Prepared> {
		if (this.signal?.aborted) throw cancelledError(this.node, options.itemIndex);
		if (this.sharedFailure) throw this.notSentAgain(this.sharedFailure, options.itemIndex);
		const spend = await this.reserveSpend(options);
		let permit: Permit | undefined;
		try {
			permit = await this.acquireSlot(options, history);
		} catch (error) {
			if (spend) this.spend.settle(spend, { kind: 'not_billed' });
			throw error instanceof NodeOperationError ? error : new NodeOperationError(this.node, error as Error, { itemIndex: options.itemIndex });
		}
		// Another item may have met a failure every item would repeat while this one waited.
		if (this.sharedFailure) {
			if (permit) this.limiter!.release(permit, { kind: 'no_answer', reached: false });
			if (spend) this.spend.settle(spend, { kind: 'not_billed' });
			throw this.notSentAgain(this.sharedFailure, options.itemIndex);
		}
		return { spend, permit, startedAt: Date.now() };
	}

	/** The attempt was cancelled with the execution: nothing more is sent. */
	private abandon(prepared: Prepared, options: CallOptions): NodeOperationError {
		if (prepared.permit) this.limiter!.release(prepared.permit, { kind: 'no_answer', reached: true });
		if (prepared.spend) this.spend.settle(prepared.spend, { kind: 'unknown' });
		return cancelledError(this.node, options.itemIndex);
	}

	/** A usable answer: frees the slot and replaces the reservation with the billed cost. */
	private succeed(prepared: Prepared, options: CallOptions, snapshot: RateLimitSnapshot, billedBody?: Record<string, unknown>): number | undefined {
		if (prepared.permit) this.tell(this.limiter!.release(prepared.permit, { kind: 'answered', snapshot }));
		if (!prepared.spend) return undefined;
		const billed = billedBody ? options.cost!.billedUsd(billedBody) : undefined;
		this.spend.settle(prepared.spend, billed ? { kind: 'billed', ...billed } : { kind: 'unknown' });
		if (!billed) return undefined;
		this.stats.inputTokens += billed.inputTokens ?? 0;
		this.stats.outputTokens += billed.outputTokens ?? 0;
		this.stats.costUsd += billed.usd;
		return billed.usd;
	}

	/** A failed attempt: frees the slot (telling the limiter what the server said) and the reservation. */
	private fail(prepared: Prepared, outcome: AttemptOutcome, failure: Failure, serverHint: number | undefined, snapshot: RateLimitSnapshot): void {
		if (prepared.permit) {
			const reason = shortReason(failure);
			this.tell(
				this.limiter!.release(
					prepared.permit,
					outcome.kind !== 'answer'
						? { kind: 'no_answer', reached: failure.kind === 'timeout' || failure.kind === 'connection_reset', down: failure.down, reason }
						: failure.kind === 'rate_limit' && outcome.status === 429
							? { kind: 'rate_limited', snapshot, retryAfterMs: Math.min(serverHint ?? 1000, this.settings.maxWaitMs) }
							: { kind: 'answered', snapshot, down: failure.down, reason },
				),
			);
		}
		if (prepared.spend) this.spend.settle(prepared.spend, { kind: failure.maybeBilled ? 'unknown' : 'not_billed' });
	}

	/** The key's outage began or ended with this answer: said once in n8n's log, by the client whose request showed it. */
	private tell(events: ReleaseEvents): void {
		const host = this.credential ? hostOf(this.credential.baseUrl) : 'the API';
		if (events.outageStarted) {
			this.ctx.logger?.warn(
				`OpenAI Reliable: ${host} looks down (${events.outageStarted.reason}, several times in a row). Every request on this key waits; one check at a time looks whether it is back (every few seconds, or every half second while connections are refused).`,
				{ node: this.node.name },
			);
		}
		if (events.outageEnded) {
			const { since, until = Date.now(), probes } = events.outageEnded;
			this.ctx.logger?.info(
				`OpenAI Reliable: ${host} answers again after ${formatDuration(until - since)} (${probes} checks); the waiting requests go on at the paced rate.`,
				{
					node: this.node.name,
				},
			);
		}
	}

	/** How long the API was unavailable while this node ran (outages of its key in this process). */
	get unavailableMs(): number {
		return this.limiter ? this.limiter.unavailableMs(this.createdAt) : 0;
	}

	/**
	 * After a failure: throws when it is final (not retryable, Max Retries used, or Keep
	 * Retrying For over), else logs the retry and waits the backoff. While the key's outage
	 * pause holds, there is no backoff: the pause decides when the item goes again, and the
	 * outage's probes do not count against Max Retries. Returns the time waited.
	 */
	private async afterFailure(
		failure: Failure,
		serverHint: number | undefined,
		options: CallOptions,
		history: RetryHistory,
		prepared: Prepared,
	): Promise<number> {
		const probe = prepared.permit?.probe === true && failure.down;
		if (!probe) history.counted++;
		const now = Date.now();
		// Counted from the item's first attempt, or from the outage it waits in if that began earlier.
		const deadline = this.limiter ? this.limiter.deadline({ startedAt: history.startedAt, ms: history.budgetMs }) : history.startedAt + history.budgetMs;
		const outOfCount = history.counted > history.maxRetries;
		const outOfTime = now >= deadline;
		if (!failure.retryable || outOfCount || outOfTime) {
			if (failure.affectsAllItems) this.sharedFailure = failure;
			this.recordStats(options.itemIndex, history.attempt, history.waitedMs);
			const note = !failure.retryable
				? history.cappedNote
				: outOfTime
					? `It kept retrying for ${formatDuration(now - Math.min(history.startedAt, deadline - history.budgetMs))} (Request Settings → Keep Retrying For), then gave up${this.unavailableMs > 0 ? `; the API has been unavailable for ${formatDuration(this.unavailableMs)}` : ''}. Raise Keep Retrying For to wait longer.`
					: (history.cappedNote ?? `It gave up after ${history.maxRetries} retries (Request Settings → Max Retries).`);
			throw failureError(this.node, failure, options.itemIndex, { attempts: history.attempt + 1, retryLog: history.retryLog, note }, (text) =>
				this.redact(text),
			);
		}
		const paused = this.limiter?.outage.active === true;
		const delay = paused
			? { waitMs: 0, source: 'backoff' as const, requestedMs: undefined }
			: retryDelay(history.counted - 1, serverHint, this.settings.maxWaitMs, failure.kind === 'rate_limit');
		if (delay.requestedMs !== undefined) history.cappedNote = cappedWaitNote(delay.requestedMs, this.settings.maxWaitMs);
		// Never past the time budget: the last attempt goes when it ends.
		const waitMs = Math.max(0, Math.min(delay.waitMs, deadline - now));
		const how = paused
			? ' (the API looks down: waiting with every request on this key)'
			: delay.source === 'backoff'
				? ''
				: delay.requestedMs !== undefined
					? ' (as the server asked, capped at Max Wait)'
					: delay.source === 'server'
						? ' (as the server asked)'
						: " (the server's wait plus backoff)";
		const line = `attempt ${history.attempt + 1}: ${shortReason(failure)}; ${paused ? 'paused' : `waited ${formatDuration(waitMs)}`}${how}`;
		history.retryLog.push(line);
		this.ctx.logger?.info(`OpenAI Reliable: item ${options.itemIndex} ${options.method} ${options.path} ${line}`, {
			node: this.node.name,
			requestId: failure.requestId,
		});
		try {
			await waitUnlessCancelled(waitMs, this.signal);
		} catch {
			// waitUnlessCancelled only fails when the execution is cancelled
			throw cancelledError(this.node, options.itemIndex);
		}
		return waitMs;
	}

	private hintFor(failure: Failure): number | undefined {
		return failure.retryable || failure.kind === 'rate_limit' ? this.serverHint(failure) : undefined;
	}

	/** Sends one request, retrying what is worth retrying, and returns the parsed answer. */
	async call<T = IDataObject>(options: CallOptions): Promise<CallResult<T>> {
		if (this.credentialProblem) throw this.credentialError(options.itemIndex);
		const history = newHistory(this.settings);
		const started = history.startedAt;
		for (; ; history.attempt++) {
			const prepared = await this.prepare(options, history);
			const outcome = await this.attempt(options);
			if (this.signal?.aborted) throw this.abandon(prepared, options);
			const snapshot = outcome.kind === 'answer' ? parseRateLimitHeaders(outcome.headers) : {};
			if (outcome.kind === 'answer' && this.usable(options, outcome)) {
				const billedUsd = this.succeed(prepared, options, snapshot, outcome.body as Record<string, unknown>);
				return this.result(outcome.body as T, outcome.headers, options, history, { prepared, started, snapshot, billedUsd });
			}
			await this.failed(prepared, outcome, snapshot, options, history);
		}
	}

	/**
	 * The one failure path of call() and stream(): what the attempt's failure means, the
	 * slot and the reservation given back (the pacer told what the server said), then the
	 * retry's wait, or the final error (thrown).
	 */
	private async failed(prepared: Prepared, outcome: AttemptOutcome, snapshot: RateLimitSnapshot, options: CallOptions, history: RetryHistory): Promise<void> {
		const failure = this.failureOf(options, outcome);
		const hint = this.hintFor(failure);
		this.fail(prepared, outcome, failure, hint, snapshot);
		history.waitedMs += await this.afterFailure(failure, hint, options, history, prepared);
	}

	/**
	 * A streamed answer (server-sent events; the wire format tells its events apart): yields each event's JSON. An attempt
	 * that fails before anything of the answer arrived is retried like call(); after that, a
	 * failure ends the stream with an error, since a retry would repeat what was already shown.
	 * The Timeout covers the whole stream. Returns the call's figures.
	 */
	async *stream(options: CallOptions): AsyncGenerator<Record<string, unknown>, CallResult<Record<string, unknown> | undefined>> {
		if (this.credentialProblem) throw this.credentialError(options.itemIndex);
		const history = newHistory(this.settings);
		const started = history.startedAt;
		for (; ; history.attempt++) {
			const prepared = await this.prepare(options, history);
			const deadline = prepared.startedAt + this.settings.timeoutMs;
			const opened = await this.attempt({ ...options, stream: true });
			if (this.signal?.aborted) throw this.abandon(prepared, options);
			let outcome: AttemptOutcome = opened;
			if (opened.kind === 'answer' && opened.status >= 200 && opened.status < 300) {
				const snapshot = parseRateLimitHeaders(opened.headers);
				let began = false;
				let last: Record<string, unknown> | undefined;
				let billedBody: Record<string, unknown> | undefined;
				try {
					const events = readEvents(opened.body as ChunkSource)[Symbol.asyncIterator]();
					for (;;) {
						const next = await withinDeadline(events.next(), Math.max(1, deadline - Date.now()));
						if (next.done) break;
						const event = parseEvent(next.value);
						if (!event || hasErrorObject(event)) {
							outcome = { kind: 'answer', status: opened.status, body: event ?? next.value, headers: opened.headers };
							throw new StreamFailure();
						}
						last = event;
						if (options.events?.carriesUsage(event)) billedBody = event;
						if (!began && options.events?.startsAnswer(event)) began = true;
						yield event;
					}
				} catch (error) {
					if (this.signal?.aborted) throw this.abandon(prepared, options);
					if (!(error instanceof StreamFailure)) outcome = error instanceof DeadlineError ? { kind: 'deadline' } : { kind: 'network', error };
					const failure = this.failureOf(options, outcome);
					if (began) {
						this.fail(prepared, { kind: 'deadline' }, { ...failure, maybeBilled: true }, undefined, snapshot);
						this.recordStats(options.itemIndex, history.attempt, history.waitedMs);
						throw failureError(
							this.node,
							{
								...failure,
								retryable: false,
								title: `The answer stopped after it had begun: ${failure.title.charAt(0).toLowerCase()}${failure.title.slice(1)}`,
							},
							options.itemIndex,
							{ attempts: history.attempt + 1, retryLog: history.retryLog, note: 'It was not retried, because part of the answer had already been shown.' },
							(text) => this.redact(text),
						);
					}
					await this.failed(prepared, outcome, snapshot, options, history);
					continue;
				}
				const billedUsd = this.succeed(prepared, options, snapshot, billedBody ? { ...last, ...billedBody } : undefined);
				return this.result(last, opened.headers, options, history, { prepared, started, snapshot, billedUsd });
			}
			if (outcome.kind === 'answer') {
				// An error answer to a streaming request: its body is a stream to read as text.
				const text = await withinDeadline(readAll(outcome.body as ChunkSource), Math.max(1, deadline - Date.now())).catch(() => '');
				outcome = { ...outcome, body: parseEvent(text) ?? text };
			}
			await this.failed(prepared, outcome, outcome.kind === 'answer' ? parseRateLimitHeaders(outcome.headers) : {}, options, history);
		}
	}

	private recordStats(itemIndex: number, retries: number, waitedMs: number): void {
		if (retries > 0) this.stats.itemsRetried.add(itemIndex);
		this.stats.retries += retries;
		this.stats.waitedMs += waitedMs;
	}
}
