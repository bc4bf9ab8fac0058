/**
 * The seam between a neutral model call and one OpenAI API: how the request body is written,
 * where it goes, and how the answer (or a streamed event) is read back. Everything else of a
 * call (counting tokens, the spend cap's worst case, pacing, retry, pricing, output fields) is
 * the same whatever the wire, and lives once, outside the wire formats.
 */
import type { IDataObject } from 'n8n-workflow';

import type { AnswerShape } from '../http/shapes';
import type { BilledAs } from '../pricing/prices';
import type { StreamReader } from '../transport/client';
import type { ModelAnswer, ModelInput, StreamDelta } from './types';

export interface WireTarget {
	/** The Base URL is OpenAI's (some fields are named differently for compatible servers). */
	isOpenAi: boolean;
	stream?: boolean;
}

export interface WireFormat {
	/** How the API is named to a user. */
	readonly label: string;
	/** Below the Base URL. */
	readonly path: string;
	/** The `url` of a line in a Batch API input file. */
	readonly batchUrl: string;
	/** What a 2xx answer must look like. */
	readonly shape: AnswerShape;
	body(input: ModelInput, target: WireTarget): IDataObject;
	read(body: unknown): ModelAnswer;
	/** What an answer, or the streamed event that carries the usage, is billed by. */
	billing(body: Record<string, unknown>): BilledAs;
	/** How a streamed answer's events are told apart. */
	readonly stream: StreamReader;
	/** The pieces of the answer one streamed event carries. */
	deltas(event: Record<string, unknown>): StreamDelta[];
}
