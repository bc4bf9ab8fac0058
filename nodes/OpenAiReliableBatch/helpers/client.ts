/** The Batch node's client and settings: the Chat node's credential and transport. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readRequestSettings, type RequestSettings } from '../../shared/descriptions/requestSettings';
import { OpenAiClient } from '../../shared/transport/client';

export async function batchClient(ctx: IExecuteFunctions): Promise<{ client: OpenAiClient; settings: RequestSettings }> {
	const settings = readRequestSettings(ctx);
	const client = await OpenAiClient.create(ctx, 'openAiReliableApi', settings.retry);
	return { client, settings };
}
