import { calcPrice } from '@pydantic/genai-prices';

import { costOf, findPrice, PRICES, tokensFromUsage } from '../../nodes/shared/pricing/prices';

describe('the built-in price table agrees with @pydantic/genai-prices', () => {
	test.each(Object.keys(PRICES))('%s', (model) => {
		const price = PRICES[model];
		const M = 1_000_000;
		const input = calcPrice({ input_tokens: M, output_tokens: 0 }, model, { providerId: 'openai' });
		const output = calcPrice({ input_tokens: 0, output_tokens: M }, model, { providerId: 'openai' });
		const cached = calcPrice({ input_tokens: M, cache_read_tokens: M, output_tokens: 0 }, model, { providerId: 'openai' });
		expect(input).toBeTruthy();
		expect(input!.input_price).toBeCloseTo(price.input, 6);
		expect(output!.output_price).toBeCloseTo(price.output, 6);
		expect(cached!.input_price).toBeCloseTo(price.cachedInput ?? price.input, 6);
	});
});

describe('model matching', () => {
	test('dated snapshots and variants find their family', () => {
		expect(findPrice('gpt-4o-mini-2024-07-18')?.matched).toBe('gpt-4o-mini');
		expect(findPrice('gpt-4.1-mini-2025-04-14')?.matched).toBe('gpt-4.1-mini');
		expect(findPrice('gpt-5-chat-latest')?.matched).toBe('gpt-5');
		expect(findPrice('GPT-4o')?.matched).toBe('gpt-4o');
		expect(findPrice('openai/gpt-4o-mini')?.matched).toBe('gpt-4o-mini');
		expect(findPrice('gpt-4o-2024-05-13')?.price.input).toBe(5);
	});

	test('unknown and fine-tuned models have no price', () => {
		expect(findPrice('llama3.1:8b')).toBeUndefined();
		expect(findPrice('ft:gpt-4o-mini-2024-07-18:acme::abc')).toBeUndefined();
		expect(findPrice('gpt-4ox')).toBeUndefined();
	});

	test('an override wins over the table, also for dated versions', () => {
		const overrides = { 'gpt-4o-mini': { input: 1, output: 2 } };
		expect(findPrice('gpt-4o-mini-2024-07-18', overrides)).toMatchObject({ source: 'override', price: { input: 1, output: 2 } });
	});
});

describe('cost arithmetic', () => {
	test('cached input at the cached price, reasoning as output', () => {
		const tokens = tokensFromUsage({
			prompt_tokens: 2000,
			completion_tokens: 500,
			prompt_tokens_details: { cached_tokens: 1024 },
			completion_tokens_details: { reasoning_tokens: 300 },
		})!;
		expect(tokens).toEqual({ inputTokens: 2000, cachedInputTokens: 1024, outputTokens: 500, reasoningTokens: 300 });
		const cost = costOf(tokens, PRICES['gpt-5']);
		expect(cost.inputUsd).toBeCloseTo((976 * 1.25) / 1e6, 12);
		expect(cost.cachedInputUsd).toBeCloseTo((1024 * 0.125) / 1e6, 12);
		expect(cost.outputUsd).toBeCloseTo((500 * 10) / 1e6, 12);
		expect(cost.totalUsd).toBeCloseTo(cost.inputUsd + cost.cachedInputUsd + cost.outputUsd, 12);
	});

	test('the Responses API usage names are understood', () => {
		expect(tokensFromUsage({ input_tokens: 10, output_tokens: 5 })).toMatchObject({ inputTokens: 10, outputTokens: 5 });
		expect(tokensFromUsage({})).toBeUndefined();
	});
});
