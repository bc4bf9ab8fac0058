/**
 * The Admin API's project rate limits (/organization/projects/{id}/rate_limits): limits
 * OpenAI itself enforces per project, so the workflows that use a project's key get their
 * own share of the organization's limit.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { fieldError, type ParameterContext } from '../../shared/parameters';
import type { OpenAiClient } from '../../shared/transport/client';
import { collectList } from '../../shared/transport/pagination';

export interface ProjectRateLimit {
	object?: string;
	id: string;
	model: string;
	max_requests_per_1_minute?: number;
	max_tokens_per_1_minute?: number;
	max_images_per_1_minute?: number;
	max_audio_megabytes_per_1_minute?: number;
	max_requests_per_1_day?: number;
	batch_1_day_max_input_tokens?: number;
}

export const projectIdProperty: INodeProperties = {
	displayName: 'Project ID',
	name: 'projectId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'proj_…',
	description: 'The project whose limits to read or change (Settings → Projects; the ID, not the name)',
};

export function readProjectId(ctx: ParameterContext, itemIndex: number): string {
	const id = String(ctx.getNodeParameter('projectId', itemIndex, '') ?? '').trim();
	if (!/^proj_[A-Za-z0-9]+$/.test(id)) {
		throw fieldError(ctx, itemIndex, 'Project ID', id === '' ? 'is empty' : `"${id}" is not a project ID`, {
			description: 'A project ID looks like proj_abc123 (Settings → Projects in the OpenAI dashboard).',
		});
	}
	return id;
}

export function rateLimitsPath(projectId: string): string {
	return `/organization/projects/${encodeURIComponent(projectId)}/rate_limits`;
}

export async function listProjectRateLimits(client: OpenAiClient, projectId: string, itemIndex: number): Promise<ProjectRateLimit[]> {
	return await collectList<ProjectRateLimit>(client, rateLimitsPath(projectId), { limit: 100 }, itemIndex);
}

/** A rate limit as an output item, with names a person can read. */
export function rateLimitItem(projectId: string, limit: ProjectRateLimit): IDataObject {
	const item: IDataObject = {
		projectId,
		rateLimitId: limit.id,
		model: limit.model,
		maxRequestsPerMinute: limit.max_requests_per_1_minute ?? null,
		maxTokensPerMinute: limit.max_tokens_per_1_minute ?? null,
	};
	if (limit.max_images_per_1_minute !== undefined) item.maxImagesPerMinute = limit.max_images_per_1_minute;
	if (limit.max_audio_megabytes_per_1_minute !== undefined) item.maxAudioMegabytesPerMinute = limit.max_audio_megabytes_per_1_minute;
	if (limit.max_requests_per_1_day !== undefined) item.maxRequestsPerDay = limit.max_requests_per_1_day;
	if (limit.batch_1_day_max_input_tokens !== undefined) item.batchMaxInputTokensPerDay = limit.batch_1_day_max_input_tokens;
	return item;
}
