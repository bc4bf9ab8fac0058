/**
 * Item bookkeeping must not grow beyond what the output needs: the Chat node's heap
 * retained after N items at zero latency, next to the size of its output.
 * Run by `npm run bench` (not part of npm test).
 */
import { OpenAiReliableChat } from '../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { apiCredential, execute, items, startServer } from '../test/support/setup';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const probe = require('./memory-probe') as typeof import('./memory-probe');

test.each([1000, 10_000])('%d items', async (count) => {
	const server = await startServer({ record: false });
	const measuring = probe.startProbe();
	const run = await execute(new OpenAiReliableChat(), {
		items: items(count),
		continueOnFail: true,
		parameters: {
			model: { mode: 'id', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			// Paced by the mock's rate-limit headers (10,000 RPM), as against OpenAI.
			requestSettings: { concurrency: 20 },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
	const { retainedHeapBytes, peakRssBytes } = measuring.stop();
	await server.close();
	const answered = run.output[0].filter((item) => !item.json.error).length;
	expect(answered).toBe(count);
	probe.writeResult({ count, retainedHeapBytes, peakRssBytes, outputBytes: JSON.stringify(run.output).length });
}, 600_000);
