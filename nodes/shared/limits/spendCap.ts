/**
 * What an execution has spent, and the spend cap: no request is sent whose worst-case
 * cost could take the execution past the dollars the user set.
 *
 * One ledger per execution, in the same process-wide state as the shared rate limit (an
 * execution runs in one process, also in queue mode). Every node of this package in the
 * execution draws from it:
 * - before each attempt, its worst-case cost is reserved; it is sent only when the billed
 *   total, the cost of attempts whose outcome is unknown and all open reservations plus
 *   this one stay within the cap. When it would fit once open reservations settle, it
 *   waits for them; when it can never fit, it is refused;
 * - when the answer comes, the reservation is replaced by the billed cost;
 * - an attempt that OpenAI did not bill (an error answer) releases its reservation; one
 *   whose outcome is unknown (timeout, connection cut after sending) keeps its worst case;
 * - a submitted batch holds its worst case until its results are read in this execution.
 */
import { formatUsd } from '../format';
import { CancelledError, onCancel } from '../http/backoff';
import { IdleRegistry, type Expirable } from './registry';

/** Room for floating-point noise in dollar sums. */
const EPSILON = 1e-12;

export interface SpendReservation {
	worstCaseUsd: number;
	settled: boolean;
}

export type Settlement =
	| { kind: 'billed'; usd: number; inputTokens?: number; outputTokens?: number }
	| { kind: 'not_billed' }
	/** The request may have been billed, but no usage came back. */
	| { kind: 'unknown' };

/** Where a request's worst case comes from, to explain a refusal. */
export interface WorstCaseDetail {
	model: string;
	inputTokens: number;
	/** The output allowance the worst case assumes. */
	outputTokens: number;
	/** Max Tokens as set, or the model's longest answer (no Max Tokens set). */
	outputFrom: 'max_tokens' | 'model_limit';
	/** The input's part of the worst case. */
	inputUsd: number;
	usdPerOutputToken: number;
	/** Built-in tool fees the worst case holds (Max Tool Calls × the dearest fee, and search input). */
	toolsUsd?: number;
	maxToolCalls?: number;
}

export interface SpendFigures {
	capUsd: number;
	spentUsd: number;
	uncertainUsd: number;
	requestUsd: number;
	/** Worst cases held by batches this execution submitted and has not collected. */
	heldUsd?: number;
	/** What the request's worst case is made of, when known. */
	worst?: WorstCaseDetail;
}

/** Whether the request alone could cost more than the whole cap: it would never fit. */
export function aloneOverCap(figures: SpendFigures): boolean {
	return figures.requestUsd > figures.capUsd + EPSILON;
}

function refusalMessage(figures: SpendFigures): string {
	const cap = formatUsd(figures.capUsd);
	if (aloneOverCap(figures)) {
		const w = figures.worst;
		const parts = w
			? `: ${w.inputTokens.toLocaleString('en-US')} input tokens plus up to ${w.outputTokens.toLocaleString('en-US')} output tokens, ${
					w.outputFrom === 'max_tokens' ? 'the Max Tokens set' : `the longest answer ${w.model} can give (no Max Tokens set)`
				}`
			: '';
		return `Not sent: this execution's spend cap of ${cap} is less than what one request could cost (${formatUsd(figures.requestUsd)}${parts})`;
	}
	return `Not sent: this execution's spend cap of ${cap} was reached (${formatUsd(figures.spentUsd + figures.uncertainUsd)} spent${
		figures.heldUsd ? `, ${formatUsd(figures.heldUsd)} held by batches still running` : ''
	}, this request could cost up to ${formatUsd(figures.requestUsd)})`;
}

/**
 * What to do about a refusal: when one request alone is over the cap, the Max Tokens that
 * would fit (the worst case assumes the longest answer the model can give).
 */
export function refusalAdvice(figures: SpendFigures): string {
	const w = figures.worst;
	if (!aloneOverCap(figures)) {
		return 'Raise Max Spend per Execution in the Request Settings, or send the item again in a later run.';
	}
	if (!w) return 'Raise Max Spend per Execution in the Request Settings, or lower Max Tokens in the Options.';
	const room = figures.capUsd - w.inputUsd - (w.toolsUsd ?? 0);
	const fitting = w.usdPerOutputToken > 0 ? Math.floor(room / w.usdPerOutputToken) : 0;
	if (fitting < 1 && w.toolsUsd) {
		return `The input and up to ${w.maxToolCalls ?? 0} built-in tool calls could cost ${formatUsd(w.inputUsd + w.toolsUsd)}, more than the cap: lower Max Tool Calls under Built-in Tools, or raise Max Spend per Execution in the Request Settings.`;
	}
	if (fitting < 1) {
		return `The input alone could cost ${formatUsd(w.inputUsd)}, more than the cap: shorten the input or raise Max Spend per Execution in the Request Settings.`;
	}
	const fits = `With Max Tokens ${fitting.toLocaleString('en-US')} or less, one request fits the cap`;
	return w.outputFrom === 'max_tokens'
		? `Lower Max Tokens in the Options (${fits.charAt(0).toLowerCase()}${fits.slice(1)}), or raise Max Spend per Execution in the Request Settings.`
		: `Set Max Tokens in the Options: the cap assumes the longest answer the model can give until you do. ${fits}. Or raise Max Spend per Execution in the Request Settings.`;
}

/** A request the cap does not allow. Not retryable: the cap only fills up. */
export class SpendCapError extends Error {
	constructor(readonly figures: SpendFigures) {
		super(refusalMessage(figures));
		this.name = 'SpendCapError';
	}
}

export class ExecutionSpend implements Expirable {
	/** Billed, from the answers' usage. */
	spentUsd = 0;
	/** Worst case of attempts whose outcome is unknown. */
	uncertainUsd = 0;
	/** Open reservations. */
	reservedUsd = 0;
	open = 0;
	inputTokens = 0;
	outputTokens = 0;
	private waiters: Array<() => void> = [];
	private readonly holds = new Map<string, number>();

	isBusy(): boolean {
		return this.open > 0 || this.waiters.length > 0;
	}

	/** What the execution has certainly or possibly spent, batches still running included. */
	get committedUsd(): number {
		return this.spentUsd + this.uncertainUsd + this.heldUsd;
	}

	/** Worst cases of batches submitted in this execution and not collected yet. */
	get heldUsd(): number {
		let held = 0;
		for (const usd of this.holds.values()) held += usd;
		return held;
	}

	/** Seeds a ledger from the total n8n kept in the execution's custom data (after a restart). */
	seed(spentUsd: number): void {
		if (this.spentUsd === 0 && this.open === 0 && Number.isFinite(spentUsd) && spentUsd > 0) this.spentUsd = spentUsd;
	}

	/** What is already spent, possibly spent, held or reserved: what a new cost adds to. */
	get pendingUsd(): number {
		return this.committedUsd + this.reservedUsd;
	}

	/** Whether usd more, on top of everything spent, held or reserved, stays within capUsd (0: no cap). */
	fits(usd: number, capUsd: number): boolean {
		return capUsd <= 0 || this.pendingUsd + Math.max(0, usd) <= capUsd + EPSILON;
	}

	/**
	 * Reserves a request's worst-case cost against capUsd (0: no cap), waiting for open
	 * reservations to settle when that would make it fit.
	 */
	async reserve(worstCaseUsd: number, capUsd: number, signal?: AbortSignal, detail?: WorstCaseDetail): Promise<SpendReservation> {
		const worst = Math.max(0, worstCaseUsd);
		for (;;) {
			if (signal?.aborted) throw new CancelledError();
			if (capUsd > 0 && this.committedUsd + worst > capUsd + EPSILON) {
				throw new SpendCapError({
					capUsd,
					spentUsd: this.spentUsd,
					uncertainUsd: this.uncertainUsd,
					requestUsd: worst,
					heldUsd: this.heldUsd,
					...(detail ? { worst: detail } : {}),
				});
			}
			if (this.fits(worst, capUsd)) break;
			await this.nextSettlement(signal);
		}
		this.reservedUsd += worst;
		this.open++;
		return { worstCaseUsd: worst, settled: false };
	}

	settle(reservation: SpendReservation, settlement: Settlement): void {
		if (reservation.settled) return;
		reservation.settled = true;
		this.reservedUsd = Math.max(0, this.reservedUsd - reservation.worstCaseUsd);
		this.open = Math.max(0, this.open - 1);
		if (this.open === 0) this.reservedUsd = 0;
		if (settlement.kind === 'billed') {
			this.spentUsd += Math.max(0, settlement.usd);
			this.inputTokens += settlement.inputTokens ?? 0;
			this.outputTokens += settlement.outputTokens ?? 0;
		} else if (settlement.kind === 'unknown') {
			this.uncertainUsd += reservation.worstCaseUsd;
		}
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	/**
	 * Holds a cost whose outcome is not known yet (a batch running at OpenAI, by its ID) as
	 * possibly spent, so later requests of this execution count it. A batch collected in
	 * another execution keeps its hold here: for this execution, that cost stays possible.
	 */
	hold(id: string, usd: number): void {
		this.holds.set(id, Math.max(0, usd));
	}

	/** Lets go of a hold once its real cost is known (and recorded). */
	releaseHold(id: string): void {
		this.holds.delete(id);
	}

	/** Adds a cost that was never reserved (a batch's results, priced when they arrive). */
	record(usd: number, inputTokens = 0, outputTokens = 0): void {
		this.spentUsd += Math.max(0, usd);
		this.inputTokens += inputTokens;
		this.outputTokens += outputTokens;
	}

	private async nextSettlement(signal?: AbortSignal): Promise<void> {
		let stop: () => void = () => undefined;
		await new Promise<void>((resolve, reject) => {
			const wake = () => {
				stop();
				resolve();
			};
			this.waiters.push(wake);
			if (signal) {
				stop = onCancel(signal, () => {
					this.waiters = this.waiters.filter((w) => w !== wake);
					reject(new CancelledError());
				});
			}
		});
	}
}

/** One ledger per execution id, for the whole process. */
export const executionSpend = new IdleRegistry<ExecutionSpend>(() => new ExecutionSpend(), 6 * 60 * 60_000);

/** Where n8n keeps the execution's spend: its custom data, readable downstream and in error workflows. */
export const SPEND_KEY = 'openaiCostUsd';

/** What the ledger needs of an n8n context: its execution's custom data, when it has one. */
interface SpendContext {
	customData?: { get?(key: string): unknown; set?(key: string, value: string): void };
}

/**
 * The ledger of an execution: the process's own, seeded from the total n8n kept in the
 * execution's custom data (after a restart, or a node run in another process).
 */
export function ledgerOf(ctx: unknown, executionId: string): ExecutionSpend {
	const ledger = executionSpend.get(executionId);
	const custom = (ctx as SpendContext).customData;
	if (ledger.spentUsd === 0 && custom && typeof custom.get === 'function') {
		try {
			ledger.seed(Number(custom.get(SPEND_KEY)));
		} catch {
			// no custom data in this context
		}
	}
	return ledger;
}

/** Writes the execution's spend into n8n's custom data (rounded to 10 decimals). */
export function saveLedger(ctx: unknown, ledger: ExecutionSpend): void {
	const custom = (ctx as SpendContext).customData;
	if (!custom || typeof custom.set !== 'function') return;
	try {
		custom.set(SPEND_KEY, String(Math.round(ledger.spentUsd * 1e10) / 1e10));
	} catch {
		// n8n refuses custom data in some contexts; the items carry the figures anyway.
	}
}
