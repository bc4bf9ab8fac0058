/**
 * The chat model the AI Agent and chains call: every generate() and stream() goes through
 * the package's one transport (retry, the shared rate limit, the spend cap, error messages,
 * key redaction, cancellation). The class extends the SDK's BaseChatModel, which is loaded
 * only when the sub-node supplies a model, so an n8n without the SDK still loads the rest.
 */
import type * as Sdk from '@n8n/ai-node-sdk';
import type { ChatModelConfig, GenerateResult, Message, StreamChunk, Tool } from '@n8n/ai-node-sdk';
import type { IDataObject, ISupplyDataFunctions } from 'n8n-workflow';

import { answerCallFigures } from '../shared/chat/answer';
import { contentPartTokens } from '../shared/chat/attachments';
import { recordTotals } from '../shared/execution/totals';
import { roundUsd } from '../shared/format';
import { callModel } from '../shared/model/background';
import { buildModelCall, checkStop, sendOptions, type ModelCall } from '../shared/model/call';
import type { BuiltinTool, CallSettings, OutputFormat } from '../shared/model/types';
import type { WireFormat } from '../shared/model/wire';
import type { PriceOverride } from '../shared/pricing/prices';
import type { CallResult, OpenAiClient } from '../shared/transport/client';
import { finishReasonOf, fromAnswer, toFunctionTools, toModelMessages, usageOf } from './convert';
import { toolParameters } from './toolSchema';

export interface ModelSetup {
	ctx: ISupplyDataFunctions;
	client: OpenAiClient;
	model: string;
	/** The node's Options, checked (temperature, max tokens, service tier…). */
	settings: CallSettings;
	format: OutputFormat;
	overrides: Record<string, PriceOverride>;
	capUsd: number;
	/** The API that carries the calls (the node's API field). */
	wire: WireFormat;
	/** Tools OpenAI runs itself (Responses API), and the most calls an answer may make. */
	builtinTools: BuiltinTool[];
	maxToolCalls?: number;
	/** Whether OpenAI keeps the responses (Responses' store); undefined: OpenAI's default. */
	store?: boolean;
	/** Send each call once and poll for its answer (Responses' background mode). */
	background: boolean;
	itemIndex: number;
	/** Adds a call's figures to the sub-node's run data. */
	report: (figures: IDataObject) => void;
}

/**
 * The per-call settings the Agent may pass: they win over the node's Options. Its stop
 * sequences follow the same rule as the Options' (at most four, else an error naming them).
 */
function withConfig(setup: ModelSetup, config: ChatModelConfig | undefined): CallSettings {
	const settings: CallSettings = { ...setup.settings };
	if (!config) return settings;
	if (config.maxTokens !== undefined) settings.maxOutputTokens = config.maxTokens;
	if (config.temperature !== undefined) settings.temperature = config.temperature;
	if (config.topP !== undefined) settings.topP = config.topP;
	if (config.presencePenalty !== undefined) settings.presencePenalty = config.presencePenalty;
	if (config.frequencyPenalty !== undefined) settings.frequencyPenalty = config.frequencyPenalty;
	if (config.seed !== undefined) settings.seed = config.seed;
	// The SDK names them stopSequences; its LangChain adapter hands over LangChain's call options, which name them stop.
	const given = config.stopSequences ?? (config as { stop?: string[] }).stop;
	const stop = checkStop(setup.ctx, setup.itemIndex, given, 'Stop Sequences (from the Agent)');
	if (stop) settings.stop = stop;
	return settings;
}

export type ReliableChatModelConstructor = new (setup: ModelSetup, tools?: Tool[]) => Sdk.ChatModel;

/** Defines the model class on the loaded SDK. */
export function reliableChatModelClass(sdk: typeof Sdk): ReliableChatModelConstructor {
	class ReliableChatModel extends sdk.BaseChatModel {
		constructor(
			private readonly setup: ModelSetup,
			tools?: Tool[],
		) {
			super('openai-reliable', setup.model, undefined, tools);
		}

		/** The model call: built by the one builder, from the SDK's messages and tools. */
		private async call(messages: Message[], config?: ChatModelConfig) {
			const { setup } = this;
			const modelMessages = toModelMessages(messages);
			return await buildModelCall(
				setup.ctx,
				setup.itemIndex,
				{
					model: setup.model,
					messages: modelMessages,
					settings: withConfig(setup, config),
					format: setup.format,
					tools: toFunctionTools(this.tools, (tool) => toolParameters(tool.inputSchema)),
					// Images and PDFs the Agent passes along count with the attachments' formulas.
					extraInputTokens: contentPartTokens(setup.model, modelMessages),
					...(setup.builtinTools.length ? { builtinTools: setup.builtinTools } : {}),
					...(setup.maxToolCalls !== undefined ? { maxToolCalls: setup.maxToolCalls } : {}),
					...(setup.store !== undefined ? { store: setup.store } : {}),
				},
				{ isOpenAi: setup.client.isOpenAi, capUsd: setup.capUsd, overrides: setup.overrides, wire: setup.wire },
			);
		}

		/** After each call: its figures into the sub-node's run data, the execution's spend into n8n. */
		private after(result: Omit<CallResult<unknown>, 'body' | 'rateLimit'>, billedUsd: number | undefined): void {
			const { client } = this.setup;
			this.setup.report(answerCallFigures(result, billedUsd, roundUsd(client.spend.spentUsd)));
			recordTotals(this.setup.ctx, { inputTokens: 0, outputTokens: 0 }, client.spend);
		}

		/** One whole answer: sent and answered, or, in background mode, sent once and polled until done. */
		private async answer(call: ModelCall): Promise<GenerateResult> {
			const result = await callModel(this.setup.client, call, this.setup.itemIndex, this.setup.background);
			this.after(result, result.billedUsd);
			return fromAnswer(call.wire.read(result.body), { requestId: result.requestId ?? null, costUsd: result.billedUsd ?? null });
		}

		async generate(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult> {
			return await this.answer(await this.call(messages, config));
		}

		async *stream(messages: Message[], config?: ChatModelConfig): AsyncIterable<StreamChunk> {
			const call = await this.call(messages, config);
			if (this.setup.background) {
				// A background answer arrives whole: handed on as one piece of text and whole tool calls.
				const whole = await this.answer(call);
				for (const part of whole.message.content) {
					if (part.type === 'text') yield { type: 'text-delta', delta: part.text };
					else if (part.type === 'tool-call')
						yield {
							type: 'tool-call-delta',
							id: part.toolCallId,
							name: part.toolName,
							argumentsDelta: typeof part.input === 'string' ? part.input : JSON.stringify(part.input),
						};
				}
				yield { type: 'finish', finishReason: whole.finishReason ?? 'stop', ...(whole.usage ? { usage: whole.usage } : {}) };
				return;
			}
			const events = this.setup.client.stream(sendOptions(call, this.setup.itemIndex, { isOpenAi: this.setup.client.isOpenAi, stream: true }));
			/** The id of each tool call by its index: it comes with the call's first piece only. */
			const callIds = new Map<number, string>();
			let finishReason: unknown;
			let usage: unknown;
			for (;;) {
				const next = await events.next();
				if (next.done) {
					this.after(next.value, next.value.billedUsd);
					break;
				}
				const event = next.value;
				if (call.wire.stream.carriesUsage(event)) usage = call.wire.billing(event).usage;
				for (const delta of call.wire.deltas(event)) {
					if (delta.type === 'text') yield { type: 'text-delta', delta: delta.delta };
					else if (delta.type === 'tool') {
						if (delta.id) callIds.set(delta.index, delta.id);
						// Every piece names its call's id, so parallel calls are never merged into one.
						yield { type: 'tool-call-delta', id: callIds.get(delta.index) ?? `call_${delta.index}`, name: delta.name, argumentsDelta: delta.argumentsDelta };
					} else finishReason = delta.reason;
				}
			}
			const tokens = usageOf(usage);
			yield { type: 'finish', finishReason: finishReasonOf(finishReason), ...(tokens ? { usage: tokens } : {}) };
		}
	}
	return ReliableChatModel;
}
