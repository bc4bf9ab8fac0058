/** Shape of the generated modules in ./encodings (see scripts/build-encodings.js). */
export interface EncodingData {
	name: string;
	/** Pre-tokenisation regular expression (Unicode property escapes). */
	pattern: string;
	specialTokens: Record<string, number>;
	/** Base64 of every token's bytes, space-separated, in rank order. */
	ranks: string;
}
