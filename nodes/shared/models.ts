/**
 * What a model ID says about the model, the one place: its normal form (for price rows,
 * tokenizer encodings and image rules alike), and which OpenAI API it answers on.
 */

/** "OpenAI/GPT-4o-mini " → "gpt-4o-mini": lower case, no provider prefix (OpenRouter's "openai/"). */
export function normaliseModel(model: string): string {
	return model
		.trim()
		.toLowerCase()
		.replace(/^openai\//, '');
}

/** The model a fine-tuned one ("ft:gpt-4o-mini:org::id") was made from; the model itself otherwise. */
export function baseModelOf(model: string): string {
	return normaliseModel(model).replace(/^ft:/, '');
}

/**
 * Models that answer only on OpenAI's Responses API (`POST /responses`); Chat Completions
 * refuses them with a 4xx: the -pro models (gpt-5-pro, gpt-5.2-pro, o3-pro, o1-pro), the
 * deep-research and codex families, and computer-use. Dated snapshots included.
 */
const RESPONSES_ONLY = /^(gpt-[\d.]+-pro|o\d+-pro|o\d+(-mini)?-deep-research|gpt-[\d.]+-codex|codex-mini|computer-use)(-|$)/;

export function needsResponsesApi(model: string): boolean {
	return RESPONSES_ONLY.test(normaliseModel(model));
}
