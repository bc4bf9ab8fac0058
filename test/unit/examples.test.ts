/** The example workflows in examples/ only use parameters the nodes really have. */
import type { INodeProperties, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { OpenAiReliableBatch } from '../../nodes/OpenAiReliableBatch/OpenAiReliableBatch.node';
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { nodeTypeOf } from '../support/n8nContext';
import classify from '../../examples/classify-reviews-within-budget.json';
import spend from '../../examples/morning-spend-check.json';
import invoice from '../../examples/read-an-invoice.json';
import batch from '../../examples/batch-submit-now-collect-later.json';

const nodes: Record<string, INodeType | IVersionedNodeType> = {
	'n8n-nodes-openai-reliable.openAiReliableChat': new OpenAiReliableChat(),
	'n8n-nodes-openai-reliable.openAiReliableUsage': new OpenAiReliableUsage(),
	'n8n-nodes-openai-reliable.openAiReliableBatch': new OpenAiReliableBatch(),
};

function names(properties: INodeProperties[]): Set<string> {
	return new Set(properties.map((p) => p.name));
}

test.each([
	['classify-reviews-within-budget', classify],
	['morning-spend-check', spend],
	['read-an-invoice', invoice],
	['batch-submit-now-collect-later', batch],
])('%s', (_, workflow) => {
	const ours = workflow.nodes.filter((n) => n.type in nodes);
	expect(ours.length).toBeGreaterThan(0);
	for (const node of ours) {
		const known = names(nodeTypeOf(nodes[node.type]).description.properties);
		for (const key of Object.keys(node.parameters)) expect([node.name, key, known.has(key)]).toEqual([node.name, key, true]);
		const { operation, resource } = node.parameters as { operation?: string; resource?: string };
		if (operation) {
			// The operation is one of those its resource offers.
			const offered = nodeTypeOf(nodes[node.type])
				.description.properties.filter((p) => p.name === 'operation' && (!resource || p.displayOptions?.show?.resource?.includes(resource)))
				.flatMap((p) => (p.options as Array<{ value: string }>).map((o) => o.value));
			expect(offered).toContain(operation);
		}
	}
	for (const [from, outputs] of Object.entries(workflow.connections)) {
		expect(workflow.nodes.map((n) => n.name)).toContain(from);
		for (const output of (outputs as { main: Array<Array<{ node: string }>> }).main) {
			for (const link of output) expect(workflow.nodes.map((n) => n.name)).toContain(link.node);
		}
	}
});
