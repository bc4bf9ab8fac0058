import { pdfPages, sniffFile } from '../../nodes/shared/chat/imageSize';
import { imageTokens, pdfPageTokens } from '../../nodes/shared/tokenizer/images';
import { gif, jpeg, pdf, png, webp } from '../support/files';

describe('file headers', () => {
	test('sizes of PNG, JPEG, GIF and WEBP come from their first bytes', () => {
		expect(sniffFile(png(1024, 768))).toMatchObject({ format: 'png', mimeType: 'image/png', width: 1024, height: 768 });
		expect(sniffFile(jpeg(4032, 3024))).toMatchObject({ format: 'jpeg', width: 4032, height: 3024 });
		expect(sniffFile(gif(320, 200))).toMatchObject({ format: 'gif', width: 320, height: 200, animated: false });
		expect(sniffFile(webp(2000, 1000))).toMatchObject({ format: 'webp', width: 2000, height: 1000, animated: false });
	});

	test('animated GIF and WEBP are recognised', () => {
		expect(sniffFile(gif(10, 10, 3))?.animated).toBe(true);
		expect(sniffFile(webp(10, 10, true))?.animated).toBe(true);
	});

	test('PDF pages are counted; anything else is unknown', () => {
		expect(sniffFile(pdf(3))).toMatchObject({ format: 'pdf', pages: 3 });
		expect(pdfPages(Buffer.from('%PDF-1.7 /Type /Pages /Count 12 >>'))).toBe(12);
		expect(sniffFile(Buffer.from('hello, world'))).toBeUndefined();
		expect(sniffFile(Buffer.from('PK\u0003\u0004 a zip file'))).toBeUndefined();
	});
});

test('truncated and corrupt files never crash: cut anywhere, each is a known format or unknown', () => {
	for (const file of [png(800, 600), jpeg(800, 600), gif(80, 60, 2), webp(800, 600), pdf(2)]) {
		for (let length = 0; length <= file.length; length++) {
			const info = sniffFile(file.subarray(0, length));
			if (info?.width !== undefined) expect(info.width).toBeGreaterThanOrEqual(0);
		}
		const corrupt = Buffer.from(file);
		for (let i = 12; i < corrupt.length; i += 3) corrupt[i] = 0xff;
		expect(() => sniffFile(corrupt)).not.toThrow();
	}
});

describe("image tokens, with OpenAI's published examples", () => {
	test('tile models: 1024×1024 high is 765, 2048×4096 high is 1105, low is the base', () => {
		expect(imageTokens('gpt-4o', 'high', { width: 1024, height: 1024 })).toBe(765);
		expect(imageTokens('gpt-4o', 'high', { width: 2048, height: 4096 })).toBe(1105);
		expect(imageTokens('gpt-4o', 'low', { width: 4096, height: 8192 })).toBe(85);
		expect(imageTokens('gpt-4.1', 'auto', { width: 1024, height: 1024 })).toBe(765);
	});

	test('model families differ: gpt-4o-mini bills more tokens per tile, o-series and gpt-5 fewer', () => {
		expect(imageTokens('gpt-4o-mini', 'high', { width: 1024, height: 1024 })).toBe(2833 + 4 * 5667);
		expect(imageTokens('gpt-4o-mini', 'low', { width: 1024, height: 1024 })).toBe(2833);
		expect(imageTokens('o3', 'high', { width: 1024, height: 1024 })).toBe(75 + 4 * 150);
		expect(imageTokens('gpt-5', 'high', { width: 1024, height: 1024 })).toBe(70 + 4 * 140);
	});

	test('patch models: 1024×1024 is 1024 patches, 1800×2400 shrinks to 1452 patches, times the multiplier', () => {
		expect(imageTokens('gpt-4.1-mini', 'high', { width: 1024, height: 1024 })).toBe(Math.ceil(1024 * 1.62));
		expect(imageTokens('gpt-4.1-mini', 'high', { width: 1800, height: 2400 })).toBe(Math.ceil(1452 * 1.62));
		expect(imageTokens('gpt-5-nano', 'high', { width: 100, height: 100 })).toBe(Math.ceil(16 * 2.46));
	});

	test('an image of unknown size counts as the most the model bills', () => {
		expect(imageTokens('gpt-4o', 'high')).toBe(85 + 8 * 170);
		for (const [w, h] of [
			[768, 2048],
			[512, 512],
			[5000, 5000],
			[100, 3000],
		]) {
			expect(imageTokens('gpt-4o', 'high', { width: w, height: h })).toBeLessThanOrEqual(imageTokens('gpt-4o', 'high'));
			expect(imageTokens('gpt-4.1-mini', 'high', { width: w, height: h })).toBeLessThanOrEqual(imageTokens('gpt-4.1-mini', 'high'));
		}
	});

	test('a PDF page is its text plus a page image', () => {
		expect(pdfPageTokens('gpt-4o')).toBe(800 + 85 + 4 * 170);
	});
});
