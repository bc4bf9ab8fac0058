import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { MODEL_SEARCH_SETTINGS } from '../descriptions/requestSettings';
import { needsResponsesApi } from '../models';
import { PRICES } from '../pricing/prices';
import { OpenAiClient } from '../transport/client';
import { SHAPES } from '../http/shapes';

/**
 * Models /models lists that cannot answer a chat: neither on Chat Completions nor on Responses.
 * The Responses-only ones (-pro, deep-research, codex) are listed, marked as such.
 */
const NOT_CHAT =
	/(embedding|tts|whisper|dall-e|gpt-image|image|audio|realtime|transcribe|moderation|davinci|babbage|instruct|computer-use|sora|search-preview|-search-api)/i;
const CHAT_FAMILY = /^(gpt-|chatgpt-|o\d)/i;

export function isChatModel(id: string, isOpenAi: boolean): boolean {
	if (!isOpenAi) return true;
	return CHAT_FAMILY.test(id) && !NOT_CHAT.test(id);
}

function matching(ids: string[], filter?: string): INodeListSearchItems[] {
	const needle = (filter ?? '').trim().toLowerCase();
	return ids
		.filter((id) => needle === '' || id.toLowerCase().includes(needle))
		.map((id) => ({ name: needsResponsesApi(id) ? `${id} (Responses API)` : id, value: id }));
}

/** Model picker: the chat models this key can use, newest first, filtered by the search box. */
export async function searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const client = await OpenAiClient.create(this, 'openAiReliableApi', MODEL_SEARCH_SETTINGS);
	const { body } = await client.call<{ data?: Array<{ id?: unknown; created?: unknown }> }>({
		method: 'GET',
		path: '/models',
		itemIndex: 0,
		shape: SHAPES.list,
	});
	const models = (Array.isArray(body.data) ? body.data : [])
		.filter((model): model is { id: string; created?: unknown } => typeof model.id === 'string')
		.filter((model) => isChatModel(model.id, client.isOpenAi))
		.sort((a, b) => Number(b.created ?? 0) - Number(a.created ?? 0) || a.id.localeCompare(b.id));
	return {
		results: matching(
			models.map((model) => model.id),
			filter,
		),
	};
}

/** Model picker for operations without a credential: the models the price table knows. */
export async function searchKnownModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return { results: matching(Object.keys(PRICES), filter) };
}
