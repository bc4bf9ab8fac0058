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
import { roundUsd } from '../shared/format';
import { spendGuard } from '../shared/pricing/guard';
import type { PriceOverride, PriceTier } from '../shared/pricing/prices';
import { recordTotals } from '../shared/execution/totals';
import { contentPartTokens } from '../shared/chat/attachments';
import { countChatTokens, encodingForModel, getEncoding } from '../shared/tokenizer';
import type { CallResult, OpenAiClient } from '../shared/transport/client';
import { SHAPES } from '../shared/transport/shapes';
import { finishReasonOf, fromCompletion, toOpenAiMessages, toOpenAiTools, usageOf } from './convert';
import { toolParameters } from './toolSchema';

export interface ModelSetup {
	ctx: ISupplyDataFunctions;
	client: OpenAiClient;
	model: string;
	/** Request fields from the node's Options (temperature, max tokens, service tier…). */
	options: IDataObject;
	maxOutputTokens?: number;
	tier: PriceTier;
	overrides: Record<string, PriceOverride>;
	capUsd: number;
	itemIndex: number;
	/** Adds a call's figures to the sub-node's run data. */
	report: (figures: IDataObject) => void;
}

/** The per-call settings the Agent may pass, as request fields (they win over the node's Options). */
function configFields(config: ChatModelConfig | undefined, isOpenAi: boolean): IDataObject {
	const fields: IDataObject = {};
	if (!config) return fields;
	if (config.maxTokens !== undefined) fields[isOpenAi ? 'max_completion_tokens' : 'max_tokens'] = config.maxTokens;
	if (config.temperature !== undefined) fields.temperature = config.temperature;
	if (config.topP !== undefined) fields.top_p = config.topP;
	if (config.presencePenalty !== undefined) fields.presence_penalty = config.presencePenalty;
	if (config.frequencyPenalty !== undefined) fields.frequency_penalty = config.frequencyPenalty;
	if (config.seed !== undefined) fields.seed = config.seed;
	if (config.stopSequences?.length) fields.stop = config.stopSequences.slice(0, 4);
	return fields;
}

function maxTokensOf(body: IDataObject): number | undefined {
	const value = body.max_completion_tokens ?? body.max_tokens;
	return typeof value === 'number' ? value : undefined;
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

		/** The request body and what the transport needs to pace and cap it. */
		private async request(messages: Message[], config?: ChatModelConfig) {
			const { setup } = this;
			const isOpenAi = setup.client.isOpenAi;
			const openAiMessages = toOpenAiMessages(messages);
			const tools = toOpenAiTools(this.tools, (tool) => toolParameters(tool.inputSchema));
			const body: IDataObject = { model: setup.model, messages: openAiMessages, ...setup.options, ...configFields(config, isOpenAi) };
			if (tools.length) body.tools = tools;
			const encoding = await getEncoding(encodingForModel(setup.model));
			const textTokens = countChatTokens(encoding, messages.map((m) => ({ role: m.role, content: countableText(m) })));
			// Tool definitions count as input; their JSON text is an upper bound for how OpenAI encodes them.
			// Images and PDFs the Agent passes along count with the attachments' formulas.
			const inputTokens =
				textTokens + (tools.length ? encoding.count(JSON.stringify(tools)) : 0) + contentPartTokens(setup.model, openAiMessages as Array<{ content?: unknown }>);
			const maxOutputTokens = maxTokensOf(body) ?? setup.maxOutputTokens;
			const cost = spendGuard(setup.ctx, setup.itemIndex, {
				model: setup.model,
				inputTokens,
				maxOutputTokens,
				tier: setup.tier,
				overrides: setup.overrides,
				capUsd: setup.capUsd,
			});
			return {
				method: 'POST' as const,
				path: '/chat/completions',
				body,
				itemIndex: setup.itemIndex,
				model: setup.model,
				estimatedTokens: inputTokens + (maxOutputTokens ?? 256),
				shape: SHAPES.chatCompletion,
				cost,
			};
		}

		/** After each call: its figures into the sub-node's run data, the execution's cost into n8n. */
		private after(result: Omit<CallResult<unknown>, 'body' | 'rateLimit'>, billedUsd: number | undefined): void {
			const spent = this.setup.client.spend.spentUsd;
			this.setup.report(answerCallFigures(result, billedUsd, roundUsd(spent)));
			recordTotals(this.setup.ctx, { stats: { inputTokens: 0, outputTokens: 0 }, executionCostUsd: spent });
		}

		async generate(messages: Message[], config?: ChatModelConfig): Promise<GenerateResult> {
			const result = await this.setup.client.call<Record<string, unknown>>(await this.request(messages, config));
			this.after(result, result.billedUsd);
			return fromCompletion(result.body, { requestId: result.requestId ?? null, costUsd: result.billedUsd ?? null });
		}

		async *stream(messages: Message[], config?: ChatModelConfig): AsyncIterable<StreamChunk> {
			const events = this.setup.client.stream(await this.request(messages, config));
			/** The id of each tool call by its index: OpenAI sends it in the first delta only. */
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
				if (event.usage) usage = event.usage;
				for (const choice of (event.choices as Array<Record<string, unknown>> | undefined) ?? []) {
					const delta = (choice.delta ?? {}) as { content?: unknown; tool_calls?: Array<Record<string, unknown>> };
					if (typeof delta.content === 'string' && delta.content !== '') yield { type: 'text-delta', delta: delta.content };
					for (const call of delta.tool_calls ?? []) {
						const index = Number(call.index ?? 0);
						if (typeof call.id === 'string') callIds.set(index, call.id);
						const fn = (call.function ?? {}) as { name?: string; arguments?: string };
						// Every delta names its call's id, so parallel calls are never merged into one.
						yield { type: 'tool-call-delta', id: callIds.get(index) ?? `call_${index}`, name: fn.name, argumentsDelta: fn.arguments ?? '' };
					}
					if (choice.finish_reason) finishReason = choice.finish_reason;
				}
			}
			const tokens = usageOf(usage);
			yield { type: 'finish', finishReason: finishReasonOf(finishReason), ...(tokens ? { usage: tokens } : {}) };
		}
	}
	return ReliableChatModel;
}

/** What of a message is sent as text: its text, tool calls (name and arguments) and tool results. */
function countableText(message: Message): string {
	return message.content
		.map((block) => {
			if (block.type === 'text' || block.type === 'reasoning') return block.text;
			if (block.type === 'tool-call') return `${block.toolName}${block.input}`;
			if (block.type === 'tool-result') return typeof block.result === 'string' ? block.result : JSON.stringify(block.result);
			return '';
		})
		.join('');
}
