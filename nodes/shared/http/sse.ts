/**
 * Server-sent events as OpenAI streams them: `data: {json}` lines separated by blank
 * lines, ending with `data: [DONE]`. Reads the body chunk by chunk; no dependency.
 */

export type ChunkSource = AsyncIterable<Uint8Array | string>;

const decoder = () => new TextDecoder('utf-8');

/** Yields the data of each event, as text; stops at [DONE]. */
export async function* readEvents(body: ChunkSource): AsyncGenerator<string> {
	const text = decoder();
	let buffer = '';
	for await (const chunk of body) {
		buffer += typeof chunk === 'string' ? chunk : text.decode(chunk, { stream: true });
		let end: number;
		while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
			const data = block
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => line.slice(5).replace(/^ /, ''))
				.join('\n');
			if (data === '') continue;
			if (data === '[DONE]') return;
			yield data;
		}
	}
	const rest = buffer.trim();
	if (rest.startsWith('data:')) {
		const data = rest.slice(5).trim();
		if (data !== '' && data !== '[DONE]') yield data;
	}
}

/** The whole body as text (an error answer to a streaming request). */
export async function readAll(body: ChunkSource): Promise<string> {
	const text = decoder();
	let out = '';
	for await (const chunk of body) out += typeof chunk === 'string' ? chunk : text.decode(chunk, { stream: true });
	return out + text.decode();
}
