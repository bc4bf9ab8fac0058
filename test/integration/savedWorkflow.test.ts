/**
 * The versioning rule's test: a workflow saved with the Chat node at version 1 runs unchanged,
 * whatever versions are added beside it. Its parameters load into version 1's description and
 * its output keeps version 1's fields (README, "Versioning").
 */
import type { INodeProperties } from 'n8n-workflow';

import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import saved from '../fixtures/chat-v1-saved-workflow.json';
import { nodeTypeOf } from '../support/n8nContext';
import { apiCredential, execute, items, startServer, type MockServer } from '../support/setup';

const node = new OpenAiReliableChat();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());

/** The one kind of expression the saved workflow uses: ={{ $json.field }}. */
function resolved(parameters: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(parameters).map(([name, value]) => {
			const field = typeof value === 'string' ? /^=\{\{ \$json\.(\w+) \}\}$/.exec(value)?.[1] : undefined;
			return [name, field ? (_: number, item: Record<string, unknown>) => item[field] : value];
		}),
	);
}

const chat = saved.nodes[0];

test('the saved version-1 node still exists with every parameter it saved', () => {
	const v1 = nodeTypeOf(node, chat.typeVersion);
	expect([v1.description.version].flat()).toContain(1);
	const known = new Set((v1.description.properties as INodeProperties[]).map((p) => p.name));
	for (const name of Object.keys(chat.parameters)) expect(known).toContain(name);
	const options = (v1.description.properties as INodeProperties[]).find((p) => p.name === 'options')!;
	const optionNames = new Set((options.options as INodeProperties[]).map((o) => o.name));
	for (const name of Object.keys(chat.parameters.options)) expect(optionNames).toContain(name);
});

test('the saved version-1 workflow runs unchanged and keeps its output fields', async () => {
	const run = await execute(node, {
		items: items(3),
		parameters: resolved(chat.parameters) as never,
		credentials: { openAiReliableApi: apiCredential(server) },
		typeVersion: chat.typeVersion,
	});
	expect(run.error).toBeUndefined();
	expect(run.output[0]).toHaveLength(3);
	run.output[0].forEach((item, i) => {
		expect(item.json.content).toBe(`Echo: item-${i}`);
		expect(Object.keys(item.json)).toEqual(expect.arrayContaining(saved.outputFieldsV1));
	});
	expect(server.requests[0].body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2 });
});
