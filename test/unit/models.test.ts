/** What a model ID says: its normal form, and which API it answers on. */
import { NodeOperationError } from 'n8n-workflow';

import { checkChatCompletionsModel } from '../../nodes/shared/chat/request';
import { baseModelOf, needsResponsesApi, normaliseModel } from '../../nodes/shared/models';
import { imageTokens } from '../../nodes/shared/tokenizer/images';
import { encodingForModel } from '../../nodes/shared/tokenizer';
import { findPrice } from '../../nodes/shared/pricing/prices';

test.each([
	['gpt-5-pro', true],
	['gpt-5-pro-2025-10-06', true],
	['gpt-5.2-pro', true],
	['o3-pro', true],
	['o3-pro-2025-06-10', true],
	['o1-pro', true],
	['o3-deep-research', true],
	['o4-mini-deep-research-2025-06-26', true],
	['gpt-5-codex', true],
	['gpt-5.1-codex-mini', true],
	['codex-mini-latest', true],
	['computer-use-preview', true],
	['OpenAI/GPT-5-Pro', true],
	['gpt-5', false],
	['gpt-5-mini', false],
	['gpt-4o-mini-2024-07-18', false],
	['o3', false],
	['o4-mini', false],
	['gpt-4.1', false],
	['my-llama-pro', false],
])('%s answers only on the Responses API: %s', (model, expected) => {
	expect(needsResponsesApi(model)).toBe(expected);
});

test('one normal form for prices, encodings and image rules: "openai/" and case do not change the answer', () => {
	expect(normaliseModel(' OpenAI/GPT-4o-mini ')).toBe('gpt-4o-mini');
	expect(baseModelOf('ft:gpt-4o-mini:acme::abc')).toBe('gpt-4o-mini:acme::abc');
	expect(findPrice('openai/gpt-4o-mini')?.matched).toBe('gpt-4o-mini');
	expect(encodingForModel('openai/gpt-4-turbo')).toBe('cl100k_base');
	// gpt-4o-mini bills images with its own (large) tile figures; with the prefix it must too.
	const plain = imageTokens('gpt-4o-mini', 'high', { width: 1024, height: 1024 });
	expect(imageTokens('openai/gpt-4o-mini', 'high', { width: 1024, height: 1024 })).toBe(plain);
	expect(plain).toBeGreaterThan(imageTokens('gpt-4o', 'high', { width: 1024, height: 1024 }));
});

test('a Responses-only model on OpenAI is refused before sending, naming the field', () => {
	const ctx = { getNode: () => ({ name: 'Chat' }) as never, getNodeParameter: (() => undefined) as never };
	expect(() => checkChatCompletionsModel(ctx, 0, 'gpt-5-pro', { isOpenAi: true })).toThrow(NodeOperationError);
	expect(() => checkChatCompletionsModel(ctx, 0, 'gpt-5-pro', { isOpenAi: true })).toThrow(/^Model: "gpt-5-pro" answers only on OpenAI's Responses API/);
	// A compatible server decides for itself.
	expect(() => checkChatCompletionsModel(ctx, 0, 'gpt-5-pro', { isOpenAi: false })).not.toThrow();
	expect(() => checkChatCompletionsModel(ctx, 0, 'gpt-5', { isOpenAi: true })).not.toThrow();
});
