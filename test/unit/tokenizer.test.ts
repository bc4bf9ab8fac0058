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
