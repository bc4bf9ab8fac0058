import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { imageTokens, pdfPageTokens } from '../../nodes/shared/tokenizer/images';
import { binaryOf, gif, jpeg, pdf, png } from '../support/files';
import { apiCredential, execute, FAST_RETRY, startServer, type MockServer } from '../support/setup';

type Part = { type: string; text?: string; image_url: { url: string; detail?: string }; file: { filename: string; file_data: string } };

const chat = new OpenAiReliableChat();
const usage = new OpenAiReliableUsage();
let server: MockServer;
beforeAll(async () => {
	server = await startServer();
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function chatRun(
	binary: Array<Record<string, ReturnType<typeof binaryOf>>>,
	attachments: Record<string, unknown>,
	extra: { continueOnFail?: boolean; model?: string; requestSettings?: Record<string, unknown>; options?: Record<string, unknown> } = {},
) {
	return execute(chat, {
		items: binary.map((_, i) => ({ text: `read file ${i}` })),
		binary,
		continueOnFail: extra.continueOnFail ?? false,
		parameters: {
			model: { mode: 'list', value: extra.model ?? 'gpt-4o' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			attachments,
			options: extra.options ?? {},
			requestSettings: { ...FAST_RETRY, ...extra.requestSettings },
		},
		credentials: { openAiReliableApi: apiCredential(server) },
	});
}

test('an image and a PDF from binary data go as image_url and file parts, counted before sending', async () => {
	const run = await chatRun([{ photo: binaryOf(png(1024, 1024, 5000), 'image/png', 'receipt.png'), doc: binaryOf(pdf(2), 'application/pdf', 'invoice.pdf') }], {
		binaryProperties: 'photo, doc',
		detail: 'high',
	});
	expect(run.error).toBeUndefined();
	const [request] = server.requests;
	const content = (request.body as { messages: Array<{ content: Part[] }> }).messages[0].content;
	expect(content[0]).toEqual({ type: 'text', text: 'read file 0' });
	expect(content[1].type).toBe('image_url');
	expect(content[1].image_url.url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
	expect(content[1].image_url.detail).toBe('high');
	expect(content[2]).toMatchObject({ type: 'file', file: { filename: 'invoice.pdf' } });
	expect(content[2].file.file_data).toMatch(/^data:application\/pdf;base64,JVBERi0/);
	const out = run.output[0][0].json;
	expect(out.content).toBe('Echo: read file 0 [image/png, application/pdf]');
	expect(out.attachments).toEqual([
		expect.objectContaining({ source: 'photo', type: 'PNG 1024×1024', width: 1024, height: 1024, tokens: 765 }),
		expect.objectContaining({ source: 'doc', type: 'PDF, 2 pages', pages: 2, tokens: 2 * pdfPageTokens('gpt-4o'), estimate: true }),
	]);
	expect(out.attachmentNote).toMatch(/^Estimated: invoice.pdf: 2 page\(s\)/);
	// The file's bytes stay out of the output.
	expect(JSON.stringify(run.output)).not.toContain('base64');
});

test('image links go as they are, counted as the largest image', async () => {
	const run = await chatRun(
		[{}],
		{ binaryProperties: '', imageUrls: 'https://example.com/a.png, https://example.com/b.jpg', detail: 'low' },
		{ model: 'gpt-4o-mini' },
	);
	expect(run.error).toBeUndefined();
	const content = (server.requests[0].body as { messages: Array<{ content: Part[] }> }).messages[0].content;
	expect(content.slice(1)).toEqual([
		{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
		{ type: 'image_url', image_url: { url: 'https://example.com/b.jpg', detail: 'low' } },
	]);
	expect(run.output[0][0].json.attachments).toEqual([
		expect.objectContaining({ tokens: 2833, estimate: true }),
		expect.objectContaining({ tokens: 2833, estimate: true }),
	]);
});

test('a file of another type fails its item with the field, its MIME type and the accepted types; nothing is sent', async () => {
	const run = await chatRun(
		[
			{ data: binaryOf(png(10, 10), 'image/png', 'ok.png') },
			{ data: binaryOf(Buffer.from('PK\u0003\u0004zip'), 'application/zip', 'archive.zip') },
			{ data: binaryOf(gif(10, 10, 4), 'image/gif', 'cat.gif') },
		],
		{ binaryProperties: 'data' },
		{ continueOnFail: true },
	);
	expect(run.error).toBeUndefined();
	const [ok, zip, animated] = run.output[0].map((item) => item.json);
	expect(ok.content).toBe('Echo: read file 0 [image/png]');
	expect(zip.error).toBe('Attachments › Binary Fields ("data", archive.zip): a file of type application/zip cannot be sent');
	expect(zip.errorDescription ?? JSON.stringify(zip)).toMatch(/Accepted: PNG, JPEG, WEBP, non-animated GIF \(images\) and PDF/);
	expect(animated.error).toMatch(/an animated GIF cannot be sent/);
	expect(server.requests).toHaveLength(1);
});

test('a missing binary field names the ones the item has', async () => {
	const run = await chatRun([{ attachment_0: binaryOf(jpeg(800, 600), 'image/jpeg', 'photo.jpg') }], { binaryProperties: 'data' });
	expect(run.error?.message).toBe('Attachments › Binary Fields: this item has no binary field "data"');
	expect(run.error?.description).toMatch(/It has: attachment_0/);
	expect(server.requests).toHaveLength(0);
});

test("OpenAI's limits are checked before sending: 20 MB per image, 100 PDF pages per request", async () => {
	const big = await chatRun([{ data: binaryOf(png(4000, 3000, 21 * 1024 * 1024), 'image/png', 'huge.png') }], { binaryProperties: 'data' });
	expect(big.error?.message).toMatch(/the image is 21\.0 MB; OpenAI accepts at most 20 MB per image/);
	const pages = await chatRun([{ a: binaryOf(pdf(60), 'application/pdf', 'a.pdf'), b: binaryOf(pdf(60), 'application/pdf', 'b.pdf') }], {
		binaryProperties: 'a, b',
	});
	expect(pages.error?.message).toMatch(/PDFs of 120 pages in one request; OpenAI accepts at most 100/);
	expect(server.requests).toHaveLength(0);
});

test("the spend cap counts the image's tokens: a request that would pass the cap only through its image is not sent", async () => {
	// gpt-4o-mini bills a 1024×1024 high-detail image as 25,501 input tokens, $0.0038 at $0.15 per million.
	const imageUsd = (imageTokens('gpt-4o-mini', 'high', { width: 1024, height: 1024 }) * 0.15) / 1e6;
	const run = await chatRun(
		[{ data: binaryOf(png(1024, 1024), 'image/png', 'a.png') }],
		{ binaryProperties: 'data', detail: 'high' },
		{
			model: 'gpt-4o-mini',
			requestSettings: { maxSpendUsd: imageUsd / 2 },
			options: { maxTokens: 100 },
		},
	);
	expect(String(run.error?.message ?? run.output[0]?.[0]?.json.error)).toMatch(/^Not sent: this execution's spend cap/);
	expect(server.requests).toHaveLength(0);
	// Without the image the same request fits under the cap.
	const textOnly = await chatRun([{}], {}, { model: 'gpt-4o-mini', requestSettings: { maxSpendUsd: imageUsd / 2 }, options: { maxTokens: 100 } });
	expect(textOnly.output[0][0].json.content).toBe('Echo: read file 0');
});

test('each item reads its own files when its turn comes', async () => {
	const binary = Array.from({ length: 6 }, (_, i) => ({ data: binaryOf(png(100 + i, 100), 'image/png', `${i}.png`) }));
	const run = await chatRun(binary, { binaryProperties: 'data' }, { requestSettings: { concurrency: 2 } });
	expect(run.error).toBeUndefined();
	expect(run.test.binaryReads.map((read) => read.itemIndex).sort()).toEqual([0, 1, 2, 3, 4, 5]);
	expect(server.counts.maxInFlight).toBeLessThanOrEqual(2);
});

test('Count Tokens adds image tokens to the text and prices them', async () => {
	const run = await execute(usage, {
		items: [{ text: 'What is on this receipt?' }],
		binary: [{ data: binaryOf(jpeg(2048, 4096), 'image/jpeg', 'receipt.jpg') }],
		parameters: {
			operation: 'countTokens',
			text: (_: number, item: { text?: string }) => item.text,
			countModel: 'gpt-4o',
			attachments: { binaryProperties: 'data', detail: 'high' },
		},
	});
	expect(run.error).toBeUndefined();
	const out = run.output[0][0].json;
	expect(out.attachmentTokens).toBe(1105);
	expect(out.tokenCount).toBe((out.textTokens as number) + 1105);
	expect(out.estimatedInputCostUsd).toBeCloseTo(((out.tokenCount as number) * 2.5) / 1e6, 12);
	expect(run.test.httpCalls).toHaveLength(0);
});

test('the files travel on through Count Tokens and the budget gate, so the Chat node after them can send them', async () => {
	const binary = [{ data: binaryOf(png(64, 64), 'image/png', 'a.png') }];
	const counted = await execute(usage, {
		items: [{ text: 'x' }],
		binary,
		parameters: { operation: 'countTokens', text: 'x', countModel: 'gpt-4o', attachments: { binaryProperties: 'data' } },
	});
	expect(counted.output[0][0].binary?.data).toBeDefined();
	const gated = await execute(usage, {
		items: [counted.output[0][0].json],
		binary,
		parameters: { operation: 'checkBudgetItems', monthlyBudget: 1, costField: 'estimatedCostUsd' },
	});
	expect(gated.output[0][0].binary?.data).toBeDefined();
});
