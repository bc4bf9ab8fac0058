import { countTokens as countO200k } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { countTokens as countCl100k } from 'gpt-tokenizer/cjs/encoding/cl100k_base';

import { getEncoding } from '../../nodes/shared/tokenizer';

const samples = [
	'Hello, world!',
	'The quick brown fox jumps over the lazy dog.',
	"It's a test: don't, won't, they'll, we've, I'm, she'd.",
	'   leading and trailing spaces   ',
	'Line one\nLine two\r\n\r\nLine four\t\ttabs',
	'Zahlen: 1234567890 und 3.14159',
	'Grüße aus Köln – naïve café, déjà vu',
	'日本語のテキストと中文文本',
	'Emoji 👋🏽 family 👨‍👩‍👧‍👦 flags 🇩🇪🇯🇵 and ✨',
	'Ελληνικά και русский текст и العربية',
	'function add(a, b) { return a + b; } // code',
	'{"json": [1, 2, 3], "nested": {"key": "value"}}',
	'https://platform.openai.com/docs/guides/rate-limits?context=tier-free',
	'a'.repeat(300),
	'🙂'.repeat(50),
	'',
];

describe('tokenizer matches the reference counts', () => {
	test.each(samples)('o200k_base: %j', async (text) => {
		const encoding = await getEncoding('o200k_base');
		expect(encoding.count(text)).toBe(countO200k(text));
	});

	test.each(samples)('cl100k_base: %j', async (text) => {
		const encoding = await getEncoding('cl100k_base');
		expect(encoding.count(text)).toBe(countCl100k(text));
	});
});

describe('fast paths give the same tokens as the reference', () => {
	/** A deterministic mix of what prompts contain: words, digits, punctuation, breaks, accents, CJK, emoji. */
	function randomText(seed: number, length: number): string {
		const alphabet = [
			'a',
			'b',
			'Z',
			'q',
			' ',
			' ',
			'  ',
			'\n',
			'\n\n',
			'\r\n',
			"'s",
			"'LL",
			'.',
			',',
			'/',
			'-',
			'1',
			'23',
			'4567',
			'\t',
			'é',
			'Ü',
			'日本',
			'👋🏽',
			'—',
			'"',
			'(',
			')',
			'The',
			'quick',
			'HTML',
			'x2',
		];
		let state = seed;
		let out = '';
		while (out.length < length) {
			state = (state * 1103515245 + 12345) % 2147483648;
			out += alphabet[state % alphabet.length];
		}
		return out;
	}

	test.each([1, 2, 3, 4, 5, 6, 7, 8])('random text %i, both encodings', async (seed) => {
		const text = randomText(seed, 3000);
		const asciiOnly = [...text].map((c) => (c.charCodeAt(0) < 128 ? c : 'x')).join('');
		const o200k = await getEncoding('o200k_base');
		const cl100k = await getEncoding('cl100k_base');
		expect(o200k.count(text)).toBe(countO200k(text));
		expect(o200k.count(asciiOnly)).toBe(countO200k(asciiOnly));
		expect(cl100k.count(text)).toBe(countCl100k(text));
		expect(cl100k.count(asciiOnly)).toBe(countCl100k(asciiOnly));
	});

	test('long pieces (the heap merge) agree with the reference', async () => {
		const o200k = await getEncoding('o200k_base');
		for (const text of ['a'.repeat(5000), 'ab'.repeat(3000), 'x'.repeat(200) + 'y'.repeat(300), '0123456789abcdef'.repeat(400)]) {
			expect(o200k.count(text)).toBe(countO200k(text));
		}
	});
});
