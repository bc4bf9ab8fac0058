/**
 * Byte-pair encoding as OpenAI's tiktoken does it: split the text with the encoding's
 * regular expression, then merge each piece's bytes by rank until no pair is in the table.
 * Special tokens are treated as ordinary text (what a user's prompt contains).
 *
 * Fast on any input:
 * - text is cut into lines where no piece can cross (a line break followed by a letter or
 *   digit); ASCII-only lines are split with an ASCII-only form of the pattern, which gives
 *   the same pieces two to three times faster than the Unicode one;
 * - a piece's bytes are looked up as a "binary string" (one character per byte), which for
 *   ASCII is the piece itself, so most lookups need no conversion;
 * - counts of recent pieces are cached (words repeat);
 * - short pieces merge with tiktoken's simple scan; long ones (an unbroken base64 blob, a
 *   pasted hash, a million letters "a") with a heap of candidate pairs over a linked list,
 *   O(n log n) instead of O(n²). Both pick the lowest rank first, leftmost on ties, so they
 *   give the same tokens.
 */
import type { EncodingData } from './encodingData';

/** Pieces up to this many bytes merge with the simple scan. */
const SHORT_PIECE = 128;
/** Pieces up to this many characters have their count cached. */
const CACHEABLE = 64;
const CACHE_SIZE = 50_000;

const utf8 = new TextEncoder();

/**
 * The pattern for ASCII-only text: the Unicode classes narrowed to their ASCII members
 * (letters, digits; marks and the other letter kinds have none). Undefined when the
 * pattern uses a class this does not know.
 */
export function asciiPattern(pattern: string): string | undefined {
	const ascii = pattern
		.replace(/\\p\{N\}\{1,3\}/g, '[0-9]{1,3}')
		.replace(/\\p\{L\}\+/g, '[A-Za-z]+')
		.replace(/\\p\{Lu\}\\p\{Lt\}\\p\{Lm\}\\p\{Lo\}\\p\{M\}/g, 'A-Z')
		.replace(/\\p\{Ll\}\\p\{Lm\}\\p\{Lo\}\\p\{M\}/g, 'a-z')
		.replace(/\\p\{L\}/g, 'A-Za-z')
		.replace(/\\p\{N\}/g, '0-9');
	return ascii.includes('\\p{') ? undefined : ascii;
}

/** Where a line break is followed by a letter or digit: no piece of OpenAI's patterns crosses it. */
const SAFE_CUT = /[\r\n](?=[\p{L}\p{N}])/gu;
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The piece as a binary string: one character per UTF-8 byte. */
function binaryOf(piece: string): string {
	// eslint-disable-next-line no-control-regex
	if (/^[\x00-\x7f]*$/.test(piece)) return piece;
	const bytes = utf8.encode(piece);
	let out = '';
	for (let i = 0; i < bytes.length; i += 4096) {
		out += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 4096)));
	}
	return out;
}

/**
 * A binary min-heap of candidate merges. Each key packs (rank, position) into one number,
 * rank first, so the order is the lowest rank, then the leftmost.
 */
class MergeHeap {
	private keys = new Float64Array(1024);
	private stamps = new Int32Array(1024);
	size = 0;

	push(rank: number, position: number, stamp: number): void {
		if (this.size === this.keys.length) {
			const keys = new Float64Array(this.size * 2);
			keys.set(this.keys);
			this.keys = keys;
			const stamps = new Int32Array(this.size * 2);
			stamps.set(this.stamps);
			this.stamps = stamps;
		}
		const key = rank * 4_294_967_296 + position;
		let i = this.size++;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (this.keys[parent] <= key) break;
			this.keys[i] = this.keys[parent];
			this.stamps[i] = this.stamps[parent];
			i = parent;
		}
		this.keys[i] = key;
		this.stamps[i] = stamp;
	}

	/** Removes the smallest entry; its position and stamp are left in `position` and `stamp`. */
	pop(): void {
		this.position = this.keys[0] % 4_294_967_296;
		this.stamp = this.stamps[0];
		const key = this.keys[--this.size];
		const stamp = this.stamps[this.size];
		let i = 0;
		for (;;) {
			let child = 2 * i + 1;
			if (child >= this.size) break;
			if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child++;
			if (this.keys[child] >= key) break;
			this.keys[i] = this.keys[child];
			this.stamps[i] = this.stamps[child];
			i = child;
		}
		this.keys[i] = key;
		this.stamps[i] = stamp;
	}

	position = 0;
	stamp = 0;
}

export class BpeEncoding {
	readonly name: string;
	private readonly ranks = new Map<string, number>();
	private readonly pattern: RegExp;
	private readonly ascii?: RegExp;
	private readonly cache = new Map<string, number>();

	constructor(data: EncodingData) {
		this.name = data.name;
		// Groups only group here: capturing them would allocate for every piece.
		const pattern = data.pattern.replace(/\((?!\?)/g, '(?:');
		this.pattern = new RegExp(pattern, 'gu');
		const ascii = asciiPattern(pattern);
		if (ascii) this.ascii = new RegExp(ascii, 'g');
		const tokens = data.ranks.split(' ');
		for (let rank = 0; rank < tokens.length; rank++) this.ranks.set(atob(tokens[rank]), rank);
	}

	/** Number of tokens in text. */
	count(text: string): number {
		if (!this.ascii) return this.countWith(this.pattern, text);
		let total = 0;
		let start = 0;
		SAFE_CUT.lastIndex = 0;
		for (let cut = SAFE_CUT.exec(text); ; cut = SAFE_CUT.exec(text)) {
			const end = cut ? cut.index + 1 : text.length;
			const line = text.slice(start, end);
			total += this.countWith(ASCII_ONLY.test(line) ? this.ascii : this.pattern, line);
			if (!cut) break;
			start = end;
		}
		return total;
	}

	private countWith(pattern: RegExp, text: string): number {
		let total = 0;
		pattern.lastIndex = 0;
		for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
			const piece = match[0];
			if (piece.length <= CACHEABLE) {
				let n = this.cache.get(piece);
				if (n === undefined) {
					n = this.countPiece(piece);
					if (this.cache.size >= CACHE_SIZE) this.cache.clear();
					this.cache.set(piece, n);
				}
				total += n;
			} else {
				total += this.countPiece(piece);
			}
		}
		return total;
	}

	private countPiece(piece: string): number {
		const binary = binaryOf(piece);
		if (this.ranks.has(binary)) return 1;
		return binary.length <= SHORT_PIECE ? this.mergeShort(binary) : this.mergeLong(binary);
	}

	private rankOf(binary: string, start: number, end: number): number {
		return this.ranks.get(binary.slice(start, end)) ?? Number.POSITIVE_INFINITY;
	}

	/** tiktoken's byte_pair_merge: repeatedly merge the lowest-ranked pair, leftmost first. */
	private mergeShort(binary: string): number {
		const bounds: number[] = [];
		for (let i = 0; i <= binary.length; i++) bounds.push(i);
		const rankAt: number[] = [];
		for (let i = 0; i + 2 < bounds.length; i++) rankAt.push(this.rankOf(binary, bounds[i], bounds[i + 2]));
		rankAt.push(Number.POSITIVE_INFINITY);
		for (;;) {
			let best = Number.POSITIVE_INFINITY;
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
			rankAt[at] = at + 2 < bounds.length ? this.rankOf(binary, bounds[at], bounds[at + 2]) : Number.POSITIVE_INFINITY;
			if (at > 0) rankAt[at - 1] = this.rankOf(binary, bounds[at - 1], bounds[at + 1]);
		}
		return bounds.length - 1;
	}

	/** The same merges with a heap of candidate pairs over a linked list of parts. */
	private mergeLong(binary: string): number {
		const n = binary.length;
		// Part i starts at byte i; next/prev link the parts still alive; end is n.
		const next = new Int32Array(n);
		const prev = new Int32Array(n);
		const stamp = new Int32Array(n);
		for (let i = 0; i < n; i++) {
			next[i] = i + 1;
			prev[i] = i - 1;
		}
		const endOf = (part: number): number => (next[part] >= n ? n : next[part]);
		const heap = new MergeHeap();
		const candidate = (part: number): void => {
			if (part < 0 || next[part] >= n) return;
			const rank = this.rankOf(binary, part, endOf(next[part]));
			if (rank !== Number.POSITIVE_INFINITY) heap.push(rank, part, stamp[part]);
		};
		for (let i = 0; i + 1 < n; i++) candidate(i);
		let parts = n;
		while (heap.size > 0) {
			heap.pop();
			const position = heap.position;
			const seen = heap.stamp;
			// Stale: the part was merged into its left neighbour, or changed since.
			if (seen !== stamp[position] || prev[position] === -2 || next[position] >= n) continue;
			const right = next[position];
			next[position] = next[right];
			if (next[right] < n) prev[next[right]] = position;
			prev[right] = -2;
			parts--;
			stamp[position]++;
			candidate(position);
			const left = prev[position];
			if (left >= 0) {
				stamp[left]++;
				candidate(left);
			}
		}
		return parts;
	}
}
