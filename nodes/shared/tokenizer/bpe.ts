/**
 * Byte-pair encoding as OpenAI's tiktoken does it: split the text with the encoding's
 * regular expression, then merge each piece's bytes by rank until no pair is in the table.
 * Special tokens are treated as ordinary text (what a user's prompt contains).
 */
import type { EncodingData } from './encodingData';

const utf8 = new TextEncoder();

function bytesKey(bytes: Uint8Array, start = 0, end = bytes.length): string {
	let key = '';
	for (let i = start; i < end; i++) key += String.fromCharCode(bytes[i]);
	return key;
}

export class BpeEncoding {
	readonly name: string;
	private readonly ranks = new Map<string, number>();
	private readonly pattern: RegExp;

	constructor(data: EncodingData) {
		this.name = data.name;
		this.pattern = new RegExp(data.pattern, 'gu');
		const tokens = data.ranks.split(' ');
		for (let rank = 0; rank < tokens.length; rank++) this.ranks.set(atob(tokens[rank]), rank);
	}

	/** Number of tokens in text. */
	count(text: string): number {
		let total = 0;
		for (const match of text.matchAll(this.pattern)) total += this.countPiece(match[0]);
		return total;
	}

	private countPiece(piece: string): number {
		const bytes = utf8.encode(piece);
		if (this.ranks.has(bytesKey(bytes))) return 1;
		return this.merge(bytes).length - 1;
	}

	/** Returns the token boundaries after merging (tiktoken's byte_pair_merge). */
	private merge(bytes: Uint8Array): number[] {
		const bounds: number[] = [];
		for (let i = 0; i <= bytes.length; i++) bounds.push(i);
		const pairRank = (i: number): number => {
			if (i + 2 >= bounds.length) return Infinity;
			return this.ranks.get(bytesKey(bytes, bounds[i], bounds[i + 2])) ?? Infinity;
		};
		const rankAt: number[] = [];
		for (let i = 0; i < bounds.length - 1; i++) rankAt.push(pairRank(i));
		for (;;) {
			let best = Infinity;
			let at = -1;
			for (let i = 0; i < rankAt.length; i++) {
				if (rankAt[i] < best) {
					best = rankAt[i];
					at = i;
				}
			}
			if (at < 0) break;
			bounds.splice(at + 1, 1);
			rankAt.splice(at + 1, 1);
			rankAt[at] = pairRank(at);
			if (at > 0) rankAt[at - 1] = pairRank(at - 1);
		}
		return bounds;
	}
}
