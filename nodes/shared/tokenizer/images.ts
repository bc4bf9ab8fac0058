/**
 * Input tokens of images and PDFs, with OpenAI's published formulas.
 *
 * Two families: tile models (fit within 2048×2048, shortest side down to 768, 512-px tiles:
 * base + tiles × per-tile; low detail is the base alone) and patch models (32-px patches,
 * at most 1536, times a per-model multiplier). An image whose size is unknown (a link)
 * counts as the largest the model can be billed for. PDFs are an estimate: each page is
 * sent as its text and an image of the page.
 */

import { baseModelOf } from '../models';

export type ImageDetail = 'auto' | 'low' | 'high';

type ImageRule = { kind: 'tile'; base: number; tile: number } | { kind: 'patch'; multiplier: number };

/** First matching prefix wins: longer names first. */
const RULES: Array<[prefix: string, rule: ImageRule]> = [
	['gpt-4o-mini', { kind: 'tile', base: 2833, tile: 5667 }],
	['gpt-4.1-mini', { kind: 'patch', multiplier: 1.62 }],
	['gpt-4.1-nano', { kind: 'patch', multiplier: 2.46 }],
	['gpt-5-mini', { kind: 'patch', multiplier: 1.62 }],
	['gpt-5-nano', { kind: 'patch', multiplier: 2.46 }],
	['o4-mini', { kind: 'patch', multiplier: 1.72 }],
	['gpt-5', { kind: 'tile', base: 70, tile: 140 }],
	['o1', { kind: 'tile', base: 75, tile: 150 }],
	['o3', { kind: 'tile', base: 75, tile: 150 }],
	['computer-use', { kind: 'tile', base: 65, tile: 129 }],
];
const DEFAULT_RULE: ImageRule = { kind: 'tile', base: 85, tile: 170 };

function ruleFor(model: string): ImageRule {
	const name = baseModelOf(model);
	return RULES.find(([prefix]) => name.startsWith(prefix))?.[1] ?? DEFAULT_RULE;
}

const PATCH = 32;
const MAX_PATCHES = 1536;

function patchCount(width: number, height: number): number {
	const raw = Math.ceil(width / PATCH) * Math.ceil(height / PATCH);
	if (raw <= MAX_PATCHES) return raw;
	const shrink = Math.sqrt((PATCH * PATCH * MAX_PATCHES) / (width * height));
	const fit = Math.min(Math.floor((width * shrink) / PATCH) / ((width * shrink) / PATCH), Math.floor((height * shrink) / PATCH) / ((height * shrink) / PATCH));
	const scale = shrink * fit;
	return Math.min(MAX_PATCHES, Math.ceil(Math.floor(width * scale) / PATCH) * Math.ceil(Math.floor(height * scale) / PATCH));
}

function tileCount(width: number, height: number): number {
	let [w, h] = [width, height];
	if (Math.max(w, h) > 2048) {
		const scale = 2048 / Math.max(w, h);
		[w, h] = [w * scale, h * scale];
	}
	if (Math.min(w, h) > 768) {
		const scale = 768 / Math.min(w, h);
		[w, h] = [w * scale, h * scale];
	}
	return Math.ceil(Math.floor(w) / 512) * Math.ceil(Math.floor(h) / 512);
}

/**
 * Input tokens of one image. Without a size, the most it can cost. Auto detail counts as
 * high: the API may choose it, and the count must not be below the bill.
 */
export function imageTokens(model: string, detail: ImageDetail, size?: { width: number; height: number }): number {
	const rule = ruleFor(model);
	if (rule.kind === 'patch') {
		const patches = size ? patchCount(size.width, size.height) : MAX_PATCHES;
		return Math.ceil(patches * rule.multiplier);
	}
	if (detail === 'low') return rule.base;
	// The largest bill: 768 × 2048 after scaling, 2 × 4 tiles.
	const tiles = size ? tileCount(size.width, size.height) : 8;
	return rule.base + tiles * rule.tile;
}

/** Text extracted from a page, on average, in tokens: part of the PDF estimate. */
const PDF_TEXT_TOKENS_PER_PAGE = 800;
/** The page image: a letter page at 150 dpi. */
const PDF_PAGE_SIZE = { width: 1275, height: 1650 };

/** An estimate of one PDF page's input tokens: its text plus an image of the page. */
export function pdfPageTokens(model: string): number {
	return PDF_TEXT_TOKENS_PER_PAGE + imageTokens(model, 'high', PDF_PAGE_SIZE);
}
