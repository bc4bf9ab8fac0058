/**
 * Bad input: each case gets a clear error that names the field, and nothing is sent.
 * Run with continue-on-fail on (every item gets that error) and off (the node stops).
 */
import type { IDataObject, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { adminCredential, ADMIN_KEY, apiCredential, execute, items, PROJECT_KEY, startServer, type MockServer } from '../support/setup';
import { leaks, recordBadInput } from './helpers';

let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

const chat = new OpenAiReliableChat();
const usage = new OpenAiReliableUsage();
const COUNT = 5;

interface BadCase {
	name: string;
	node: INodeType | IVersionedNodeType;
	parameters?: Record<string, unknown>;
	credential?: IDataObject;
	field: string;
	pattern: RegExp;
}

const chatParameters = { model: { mode: 'list', value: 'gpt-4o-mini' }, prompt: 'Hello' };
const onOpenAi = { baseUrl: 'https://api.openai.com/v1' };

const cases: BadCase[] = [
	{ name: 'empty key', node: chat, credential: { apiKey: '' }, field: 'API Key', pattern: /empty/ },
	{ name: 'whitespace-only key', node: chat, credential: { apiKey: '  \n ' }, field: 'API Key', pattern: /empty/ },
	{
		name: 'wrong-prefix key',
		node: chat,
		credential: { apiKey: 'pk-live-example-not-openai', ...onOpenAi },
		field: 'API Key',
		pattern: /should start with "sk-"/,
	},
	{ name: 'key pasted with "Bearer "', node: chat, credential: { apiKey: `Bearer ${PROJECT_KEY}` }, field: 'API Key', pattern: /Bearer/ },
	{ name: 'key in quotes', node: chat, credential: { apiKey: `"${PROJECT_KEY}"` }, field: 'API Key', pattern: /quotes/ },
	{ name: 'Base URL without a scheme', node: chat, credential: { baseUrl: '127.0.0.1:8080/v1' }, field: 'Base URL', pattern: /no http/ },
	{
		name: 'Base URL ending in /chat/completions',
		node: chat,
		credential: { baseUrl: 'https://api.openai.com/v1/chat/completions' },
		field: 'Base URL',
		pattern: /chat\/completions/,
	},
	{ name: 'empty prompt', node: chat, parameters: { prompt: '   ' }, field: 'User Message', pattern: /empty/ },
	{
		name: 'prompt expression giving an object',
		node: chat,
		parameters: { prompt: () => ({ text: 'hi' }) },
		field: 'User Message',
		pattern: /an object, not text/,
	},
	{
		name: 'messages JSON that is not an array',
		node: chat,
		parameters: { history: '{"role":"user","content":"hi"}' },
		field: 'Conversation History (JSON)',
		pattern: /array/,
	},
	{
		name: 'messages JSON with a bad role',
		node: chat,
		parameters: { history: '[{"role":"wizard","content":"hi"}]' },
		field: 'Conversation History (JSON)',
		pattern: /unknown role "wizard"/,
	},
	{
		name: 'messages that are not JSON',
		node: chat,
		parameters: { history: '[{role: user}]' },
		field: 'Conversation History (JSON)',
		pattern: /not valid JSON/,
	},
	{ name: 'temperature out of range', node: chat, parameters: { options: { temperature: 3 } }, field: 'Temperature', pattern: /out of range/ },
	{ name: 'max tokens of 0', node: chat, parameters: { options: { maxTokens: 0 } }, field: 'Max Tokens', pattern: /out of range/ },
	{ name: 'negative max tokens', node: chat, parameters: { options: { maxTokens: -5 } }, field: 'Max Tokens', pattern: /out of range/ },
	{
		name: 'JSON schema that is not JSON',
		node: chat,
		parameters: { responseFormat: 'json_schema', jsonSchema: '{ type: object }' },
		field: 'JSON Schema',
		pattern: /not valid JSON/,
	},
	{ name: 'model name with spaces', node: chat, parameters: { model: { mode: 'id', value: 'gpt 4o mini' } }, field: 'Model', pattern: /contains spaces/ },
	{
		name: 'usage report ending before it starts',
		node: usage,
		parameters: { operation: 'getUsage', startDate: '2026-06-10T00:00:00Z', endDate: '2026-06-01T00:00:00Z' },
		field: 'End Date',
		pattern: /not after the Start Date/,
	},
	{
		name: 'budget of 0',
		node: usage,
		parameters: { operation: 'checkBudget', monthlyBudget: 0 },
		field: 'Monthly Budget (USD)',
		pattern: /must be more than 0/,
	},
	{
		name: 'negative budget',
		node: usage,
		parameters: { operation: 'checkBudget', monthlyBudget: -10 },
		field: 'Monthly Budget (USD)',
		pattern: /must be more than 0/,
	},
];

describe.each([true, false])('continue on fail: %s', (continueOnFail) => {
	test.each(cases)('$name', async (bad) => {
		const isUsage = bad.node === usage;
		const run = await execute(bad.node, {
			items: items(COUNT),
			continueOnFail,
			parameters: { ...(isUsage ? {} : chatParameters), requestSettings: { maxRetries: 0 }, ...bad.parameters },
			credentials: {
				openAiReliableApi: apiCredential(server, bad.credential),
				openAiReliableAdminApi: adminCredential(server),
			},
		});
		const prefix = new RegExp(`^(Credential problem in the )?${bad.field.replace(/[()]/g, '\\$&')}`);
		if (continueOnFail) {
			expect(run.error).toBeUndefined();
			const out = run.output.flat();
			expect(out).toHaveLength(COUNT);
			out.forEach((item, i) => {
				expect(item.pairedItem).toEqual({ item: i });
				expect(String(item.json.error)).toMatch(prefix);
				expect(String(item.json.error)).toMatch(bad.pattern);
			});
		} else {
			expect(run.error?.message).toMatch(prefix);
			expect(run.error?.message).toMatch(bad.pattern);
			expect(`${run.error?.description}`).toMatch(/[Nn]othing was sent/);
		}
		expect(run.test.httpCalls).toHaveLength(0);
		expect(server.requests).toHaveLength(0);
		const leaked = leaks(run, [PROJECT_KEY, ADMIN_KEY]);
		expect(leaked).toEqual([]);
		recordBadInput(`${bad.name} (continue on fail ${continueOnFail ? 'on' : 'off'})`, COUNT, leaked.length);
	});
});
