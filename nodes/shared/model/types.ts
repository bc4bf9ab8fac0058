/**
 * A model call in neutral terms: what every node asks of a model (messages, settings, output
 * format, tools) and what comes back (text, tool calls, usage), whatever OpenAI API carries
 * it. A wire format (wire.ts) turns one into the other.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ContentPart } from '../content';

export interface ToolCall {
	id: string;
	name: string;
	/** JSON text, as the model wrote it. */
	arguments: string;
}

export interface ModelMessage {
	role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
	/** Text, or parts (text, images, files); null for an assistant turn that only calls tools. */
	content: string | ContentPart[] | null;
	name?: string;
	/** An assistant turn's tool calls. */
	toolCalls?: ToolCall[];
	/** A tool result: the call it answers. */
	toolCallId?: string;
}

export interface FunctionTool {
	name: string;
	description?: string;
	/** JSON Schema of the arguments. */
	parameters: IDataObject;
	strict?: boolean;
}

/** The Options every model-calling node offers, checked. */
export interface CallSettings {
	temperature?: number;
	topP?: number;
	/** Max Tokens: the most output one answer may have; undefined lets the model decide. */
	maxOutputTokens?: number;
	frequencyPenalty?: number;
	presencePenalty?: number;
	seed?: number;
	reasoningEffort?: string;
	/** "auto" (the account's default), "default", "flex", "priority". */
	serviceTier: string;
	stop?: string[];
}

/** A tool OpenAI runs on its side (Responses API only), billed per call on top of tokens. */
export type BuiltinTool =
	| {
			type: 'web_search';
			contextSize?: 'low' | 'medium' | 'high';
			allowedDomains?: string[];
			location?: { country?: string; city?: string; region?: string; timezone?: string };
	  }
	| { type: 'file_search'; vectorStoreIds: string[]; maxResults?: number }
	| { type: 'code_interpreter' };

export type BuiltinToolType = BuiltinTool['type'];

export type OutputFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: IDataObject; strict: boolean };

export interface ModelInput {
	model: string;
	messages: ModelMessage[];
	settings: CallSettings;
	format: OutputFormat;
	tools?: FunctionTool[];
	/** Input tokens the messages' text does not show: images and files, counted by their own formulas. */
	extraInputTokens?: number;
	/** Tools OpenAI runs itself (Responses API). */
	builtinTools?: BuiltinTool[];
	/** The most built-in tool calls one answer may make (Responses' max_tool_calls). */
	maxToolCalls?: number;
	/** Continue the conversation of this stored response (Responses API). */
	previousResponseId?: string;
	/** Whether OpenAI keeps the response (Responses' store); undefined: OpenAI's default. */
	store?: boolean;
	/** Ask for a summary of the model's reasoning (Responses API): "auto", "concise", "detailed". */
	reasoningSummary?: string;
}

/** A source an answer cites: a web page, or a file of a vector store. */
export interface Citation {
	type: 'url' | 'file';
	title?: string;
	url?: string;
	fileId?: string;
	filename?: string;
}

/** Why an answer ended, in Chat Completions' words (the other wire formats map to them). */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | string;

/** An answer, read from any wire format. */
export interface ModelAnswer {
	/** The text (joined), or null when the answer is only tool calls. */
	text: string | null;
	toolCalls: ToolCall[];
	finishReason: FinishReason | null;
	refusal?: string;
	/** The model that answered (a dated snapshot), when the answer says. */
	model?: string;
	/** The service tier the answer reports. */
	serviceTier?: string;
	/** The usage object as the API sent it. */
	usage: IDataObject;
	id?: string;
	systemFingerprint?: string;
	/** Built-in tool calls the answer made, by tool (each billed per call). */
	toolUse?: Partial<Record<BuiltinToolType, number>>;
	/** Web pages and files the answer cites, once each. */
	citations?: Citation[];
	/** The model's reasoning summary, when asked for. */
	reasoningSummary?: string;
	/** The Responses API's status: completed, incomplete, failed… */
	status?: string;
	/** Why an incomplete answer stopped (max_output_tokens, content_filter). */
	incompleteReason?: string;
	/** The error a failed response carries. */
	error?: { code?: string; message?: string };
}

/** One piece of a streamed answer. */
export type StreamDelta =
	| { type: 'text'; delta: string }
	/** `index` tells parallel calls apart; `id` and `name` come with a call's first piece. */
	| { type: 'tool'; index: number; id?: string; name?: string; argumentsDelta: string }
	| { type: 'finish'; reason: FinishReason };
