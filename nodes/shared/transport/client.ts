/**
 * The one door to the API. Every request of every node goes through OpenAiClient.call():
 * credential checks, auth (via httpRequestWithAuthentication), timeout, pacing,
 * retry with backoff, and the mapping of failures to messages a non-coder can act on.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { CancelledError, retryDelay, waitUnlessCancelled, type RetrySettings } from './backoff';
import { checkCredential, CredentialCheckError, type CheckedCredential, type KeyKind } from './credentialChecks';
import {
	describeHttpFailure,
	describeNetworkFailure,
	looksLikeHtml,
	type Failure,
	type FailureContext,
} from './failures';
import {
	parseRateLimitHeaders,
	requestIdOf,
	retryAfterMs,
	retryHintFromMessage,
	type HeaderBag,
	type RateLimitSnapshot,
} from './headers';
import type { Pacer } from './pacer';
import { redactSecrets } from './redact';

export type CredentialType = 'openAiReliableApi' | 'openAiReliableAdminApi';

export const CREDENTIAL_KIND: Record<CredentialType, KeyKind> = {
	openAiReliableApi: 'project',
	openAiReliableAdminApi: 'admin',
};

type ApiContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface CallOptions {
	method: 'GET' | 'POST';
	/** Path below the Base URL, starting with "/". */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	itemIndex: number;
	/** Named in error messages, and the key rate limits are tracked under. */
	model?: string;
	/** Prompt plus max output, for token-aware pacing. */
	estimatedTokens?: number;
	adminEndpoint?: boolean;
}

export interface CallResult<T> {
	body: T;
	requestId?: string;
	/** Attempts after the first. */
	retries: number;
	/** One line per retry: what failed and how long was waited. */
	retryLog: string[];
	/** Duration of the attempt that succeeded. */
	latencyMs: number;
	/** From the first attempt to the answer, waits included. */
	elapsedMs: number;
	rateLimit: RateLimitSnapshot;
}

interface RawResponse {
	body: unknown;
	headers: HeaderBag;
	statusCode: number;
}

function formatMs(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function cancelSignalOf(ctx: ApiContext): AbortSignal | undefined {
	const candidate = ctx as Partial<IExecuteFunctions>;
	return typeof candidate.getExecutionCancelSignal === 'function' ? candidate.getExecutionCancelSignal() : undefined;
}

export class OpenAiClient {
	private credential?: CheckedCredential;
	private credentialProblem?: CredentialCheckError;
	/** A failure every later request would repeat (wrong key, no credit…). */
	private sharedFailure?: Failure;
	/** The server could not be reached even after retries: later items try once. */
	private unreachable = false;
	readonly signal?: AbortSignal;

	private constructor(
		private readonly ctx: ApiContext,
		private readonly credentialType: CredentialType,
		private readonly settings: RetrySettings,
		private readonly pacer?: Pacer,
	) {
		this.signal = cancelSignalOf(ctx);
	}

	static async create(
		ctx: ApiContext,
		credentialType: CredentialType,
		settings: RetrySettings,
		pacer?: Pacer,
	): Promise<OpenAiClient> {
		const client = new OpenAiClient(ctx, credentialType, settings, pacer);
		const fields = await ctx.getCredentials(credentialType);
		try {
			client.credential = checkCredential(fields, CREDENTIAL_KIND[credentialType]);
		} catch (error) {
			if (!(error instanceof CredentialCheckError)) {
				throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: 0 });
			}
			client.credentialProblem = error;
		}
		return client;
	}

	get node(): INode {
		return this.ctx.getNode();
	}

	get isOpenAi(): boolean {
		return this.credential?.isOpenAi ?? false;
	}

	private redact(text: string): string {
		return redactSecrets(text, [this.credential?.apiKey]);
	}

	private credentialError(itemIndex: number): NodeOperationError {
		const { problem } = this.credentialProblem!;
		return new NodeOperationError(
			this.node,
			`Credential problem in the ${problem.field} field: ${problem.message}`,
			{
				itemIndex,
				description: `${problem.description} Nothing was sent to the API. Open the credential to fix it.`,
			},
		);
	}

	private async send(options: CallOptions, credential: CheckedCredential): Promise<RawResponse> {
		const request: IHttpRequestOptions = {
			method: options.method,
			url: `${credential.baseUrl}${options.path}`,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: this.settings.timeoutMs,
			arrayFormat: 'repeat',
		};
		if (options.body) request.body = options.body;
		if (options.qs) request.qs = options.qs;
		if (this.signal) request.abortSignal = this.signal;
		const response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
			this.ctx,
			this.credentialType,
			request,
		)) as RawResponse;
		return response;
	}

	/** Sends one request, retrying what is worth retrying, and returns the parsed answer. */
	async call<T = IDataObject>(options: CallOptions): Promise<CallResult<T>> {
		if (this.credentialProblem) throw this.credentialError(options.itemIndex);
		const credential = this.credential!;
		const context: FailureContext = {
			path: options.path,
			baseUrl: credential.baseUrl,
			model: options.model,
			adminEndpoint: options.adminEndpoint,
			timeoutMs: this.settings.timeoutMs,
		};
		if (this.sharedFailure) {
			throw this.toNodeError(this.sharedFailure, options.itemIndex, {
				attempts: 0,
				retryLog: [],
				note: 'Not sent: an earlier item of this run already got this answer, and it would repeat for every item.',
			});
		}

		const maxRetries = this.unreachable ? 0 : this.settings.maxRetries;
		const retryLog: string[] = [];
		const started = Date.now();
		const pacingKey = options.model ?? options.path;
		let cappedNote: string | undefined;

		for (let attempt = 0; ; attempt++) {
			if (this.signal?.aborted) throw this.cancelled(options.itemIndex);
			const reservation = this.pacer
				? await this.pacer
						.acquire(pacingKey, options.estimatedTokens ?? 0, this.signal)
						.catch((error: unknown) => {
							throw error instanceof CancelledError ? this.cancelled(options.itemIndex) : error;
						})
				: undefined;
			const attemptStart = Date.now();
			let failure: Failure;
			let serverHint: number | undefined;
			let response: RawResponse | undefined;
			try {
				response = await this.send(options, credential);
			} catch (error) {
				if (this.signal?.aborted) {
					if (reservation) this.pacer!.release(reservation, { connected: false });
					throw this.cancelled(options.itemIndex);
				}
				failure = describeNetworkFailure(error, context);
				if (reservation) this.pacer!.release(reservation, { connected: false });
			}

			if (response) {
				const snapshot = parseRateLimitHeaders(response.headers);
				const status = Number(response.statusCode);
				const ok = status >= 200 && status < 300 && response.body !== null && typeof response.body === 'object';
				if (ok) {
					if (reservation) {
						this.pacer!.release(reservation, { snapshot, connected: true });
					}
					this.unreachable = false;
					return {
						body: response.body as T,
						requestId: requestIdOf(response.headers),
						retries: attempt,
						retryLog,
						latencyMs: Date.now() - attemptStart,
						elapsedMs: Date.now() - started,
						rateLimit: snapshot,
					};
				}
				failure = describeHttpFailure(status, response.body, response.headers, context);
				serverHint = this.serverHint(failure);
				if (reservation) {
					this.pacer!.release(reservation, {
						snapshot,
						connected: true,
						// A 429 without a hint still pauses the others for a second.
						rateLimitedForMs: failure.kind === 'rate_limit' ? Math.min(serverHint ?? 1000, this.settings.maxWaitMs) : undefined,
					});
				}
			}

			failure = failure!;
			if (!failure.retryable || attempt >= maxRetries) {
				if (failure.affectsAllItems) this.sharedFailure = failure;
				if (failure.kind === 'unreachable' || failure.kind === 'dns') this.unreachable = true;
				throw this.toNodeError(failure, options.itemIndex, {
					attempts: attempt + 1,
					retryLog,
					note:
						failure.retryable && maxRetries === 0 && this.unreachable && this.settings.maxRetries > 0
							? 'Tried once without retries, because earlier items could not reach the server either.'
							: cappedNote,
				});
			}

			const delay = retryDelay(attempt, serverHint, this.settings.maxWaitMs);
			if (delay.requestedMs !== undefined) {
				cappedNote = `The server asked to wait ${formatMs(delay.requestedMs)}, longer than Max Wait (${formatMs(this.settings.maxWaitMs)}), so it waited ${formatMs(this.settings.maxWaitMs)} instead. Raise Max Wait to follow the server's request.`;
			}
			const line = `attempt ${attempt + 1}: ${this.shortReason(failure)}; waited ${formatMs(delay.waitMs)}${
				delay.source === 'server' ? ' (as the server asked' + (delay.requestedMs !== undefined ? ', capped at Max Wait)' : ')') : ''
			}`;
			retryLog.push(line);
			this.ctx.logger?.info(`OpenAI Reliable: item ${options.itemIndex} ${options.method} ${options.path} ${line}`, {
				node: this.node.name,
				requestId: failure.requestId,
			});
			try {
				await waitUnlessCancelled(delay.waitMs, this.signal);
			} catch {
				// waitUnlessCancelled only fails when the execution is cancelled
				throw this.cancelled(options.itemIndex);
			}
		}
	}

	/** How long the server asked to wait: retry-after-ms, retry-after, or the hint in a 429 message. */
	private serverHint(failure: Failure): number | undefined {
		return (
			retryAfterMs(failure.headers, Date.now()) ??
			(failure.kind === 'rate_limit' ? retryHintFromMessage(failure.upstreamMessage) : undefined)
		);
	}

	private shortReason(failure: Failure): string {
		if (failure.status === undefined) return failure.kind.replace(/_/g, ' ');
		return `HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}`;
	}

	private cancelled(itemIndex: number): NodeOperationError {
		return new NodeOperationError(this.node, 'The execution was cancelled while waiting for OpenAI', { itemIndex });
	}

	private toNodeError(
		failure: Failure,
		itemIndex: number,
		attempts: { attempts: number; retryLog: string[]; note?: string },
	): NodeApiError {
		const meta: string[] = [];
		meta.push(failure.status !== undefined ? `HTTP ${failure.status}` : 'no HTTP answer');
		if (failure.code) meta.push(`code ${failure.code}`);
		if (failure.requestId) meta.push(`request id ${failure.requestId}`);
		const upstream = failure.upstreamMessage ? this.redact(failure.upstreamMessage) : undefined;
		const lines: string[] = [];
		if (upstream) lines.push(`The server said: "${upstream}"`);
		lines.push(failure.advice);
		if (attempts.attempts > 1) {
			lines.push(`Tried ${attempts.attempts} times: ${attempts.retryLog.join('; ')}; then this last answer.`);
		}
		if (attempts.note) lines.push(attempts.note);
		if (looksLikeHtml(failure.upstreamMessage)) lines.push('(The answer was an HTML page.)');
		const errorResponse: JsonObject = {
			httpStatus: failure.status ?? null,
			openAiCode: failure.code ?? null,
			openAiType: failure.type ?? null,
			requestId: failure.requestId ?? null,
			kind: failure.kind,
			retries: Math.max(0, attempts.attempts - 1),
		};
		if (upstream) errorResponse.serverMessage = upstream;
		return new NodeApiError(this.node, errorResponse, {
			message: this.redact(`${failure.title} [${meta.join(', ')}]`),
			description: this.redact(lines.join('\n')),
			httpCode: failure.status !== undefined ? String(failure.status) : undefined,
			itemIndex,
		});
	}
}
