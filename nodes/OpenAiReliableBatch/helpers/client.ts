/** The Batch node's client and settings: the Chat node's credential and transport. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { openClient, type OpenedClient } from '../../shared/descriptions/requestSettings';

export async function batchClient(ctx: IExecuteFunctions): Promise<OpenedClient> {
	return await openClient(ctx, 'openAiReliableApi');
}
