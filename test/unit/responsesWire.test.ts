/**
 * The Responses wire format on its own: how answers are read (text, citations, built-in tool
 * calls, statuses) and how tool fees are priced, for answers and for the spend cap's worst case.
 */
import { RESPONSES, toolUseOf } from '../../nodes/shared/model/responses';
import {
	priceAnswer,
	TOOL_FEES,
	TOOL_PRICES_DATE,
	TOOL_PRICES_SOURCE,
	toolFeesOf,
	toolWorstCase,
	WEB_SEARCH_FIXED_TOKENS,
} from '../../nodes/shared/pricing/prices';

const message = (text: string, annotations: unknown[] = []) => ({ type: 'message', content: [{ type: 'output_text', text, annotations }] });
const usage = { input_tokens: 1000, output_tokens: 100, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } };

test('every tool fee row is dated, sourced and positive', () => {
	expect(TOOL_PRICES_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
	expect(TOOL_PRICES_SOURCE).toMatch(/^https:\/\/platform\.openai\.com\/docs\/pricing/);
	for (const [tool, fee] of Object.entries(TOOL_FEES)) {
		expect([tool, fee.usdPerCall > 0, fee.stated.length > 0]).toEqual([tool, true, true]);
	}
	expect(TOOL_FEES.web_search.usdPerCall).toBe(0.01);
	expect(TOOL_FEES.file_search.usdPerCall).toBe(0.0025);
	expect(TOOL_FEES.code_interpreter.usdPerCall).toBe(0.03);
});

test('an answer is read with its citations once each, its tool calls, and a code interpreter counted per container', () => {
	const answer = RESPONSES.read({
		id: 'resp_1',
		status: 'completed',
		model: 'gpt-5-2025-08-07',
		output: [
			{ type: 'web_search_call', id: 'ws_1' },
			{ type: 'web_search_call', id: 'ws_2' },
			{ type: 'code_interpreter_call', id: 'ci_1', container_id: 'c1' },
			{ type: 'code_interpreter_call', id: 'ci_2', container_id: 'c1' },
			{ type: 'file_search_call', id: 'fs_1', results: [{ file_id: 'f1', filename: 'a.pdf' }] },
			message('Hello ', [
				{ type: 'url_citation', url: 'https://a.example', title: 'A' },
				{ type: 'url_citation', url: 'https://a.example', title: 'A' },
				{ type: 'file_citation', file_id: 'f1', filename: 'a.pdf' },
			]),
			message('world'),
		],
		usage,
	});
	expect(answer).toMatchObject({ text: 'Hello world', finishReason: 'stop', id: 'resp_1', model: 'gpt-5-2025-08-07' });
	expect(answer.toolUse).toEqual({ web_search: 2, code_interpreter: 1, file_search: 1 });
	// In the order they appear: the file search's result, then the message's link.
	expect(answer.citations).toEqual([
		{ type: 'file', fileId: 'f1', filename: 'a.pdf' },
		{ type: 'url', url: 'https://a.example', title: 'A' },
	]);
	expect(toolUseOf(undefined)).toEqual({});
});

test('statuses: incomplete at Max Tokens is "length"; a content filter and a failure keep their reasons', () => {
	expect(RESPONSES.read({ id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [message('par')] })).toMatchObject({
		text: 'par',
		finishReason: 'length',
		incompleteReason: 'max_output_tokens',
	});
	expect(RESPONSES.read({ id: 'r', status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] })).toMatchObject({
		finishReason: 'content_filter',
		status: 'incomplete',
	});
	expect(RESPONSES.read({ id: 'r', status: 'failed', error: { code: 'server_error', message: 'boom' }, output: [] })).toMatchObject({
		finishReason: 'failed',
		error: { code: 'server_error', message: 'boom' },
	});
	expect(RESPONSES.read({ id: 'r', status: 'completed', output: [{ type: 'function_call', call_id: 'c', name: 'add', arguments: '{}' }] })).toMatchObject({
		finishReason: 'tool_calls',
		toolCalls: [{ id: 'c', name: 'add', arguments: '{}' }],
	});
});

test('an answer is priced with its tool fees; billing reads them from the Response or its completed event', () => {
	const body = { id: 'r', object: 'response', model: 'gpt-4o-mini', output: [{ type: 'web_search_call' }, { type: 'web_search_call' }], usage };
	const billed = RESPONSES.billing(body);
	expect(billed.toolUse).toEqual({ web_search: 2 });
	expect(RESPONSES.billing({ type: 'response.completed', response: body }).toolUse).toEqual({ web_search: 2 });
	const cost = priceAnswer(billed, { model: 'gpt-4o-mini', tier: 'standard', overrides: {} })!;
	const tokens = (1000 * 0.15 + 100 * 0.6) / 1e6;
	expect(cost.toolsUsd).toBeCloseTo(0.02, 10);
	expect(cost.totalUsd).toBeCloseTo(tokens + 0.02, 10);
	expect(toolFeesOf({ file_search: 4, unknown_tool: 3 })).toBeCloseTo(0.01, 10);
});

test("the worst case of tools: Max Tool Calls × the dearest fee, and each search's content at the input price", () => {
	expect(toolWorstCase('gpt-5', ['web_search', 'file_search'], 3)).toEqual({ usd: 0.03, inputTokens: 3 * TOOL_FEES.web_search.inputTokensPerCall! });
	expect(toolWorstCase('gpt-4o-mini-2024-07-18', ['web_search'], 2)).toEqual({ usd: 0.02, inputTokens: 2 * WEB_SEARCH_FIXED_TOKENS['gpt-4o-mini'] });
	expect(toolWorstCase('gpt-5', ['code_interpreter', 'file_search'], 2)).toEqual({ usd: 0.06, inputTokens: 0 });
	expect(toolWorstCase('gpt-5', [], 5)).toEqual({ usd: 0, inputTokens: 0 });
});
