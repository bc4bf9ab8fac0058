/**
 * Set Project Rate Limit: lowers (or restores) the per-minute limits OpenAI enforces for one
 * model in one project, so workflows sharing the organization get guaranteed shares.
 */
import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { fieldError, modelParameter, numberParameter } from '../../../shared/parameters';
import { SHAPES } from '../../../shared/http/shapes';
import { listProjectRateLimits, projectIdProperty, rateLimitItem, rateLimitsPath, readProjectId, type ProjectRateLimit } from '../../helpers/projectRateLimits';
import { runAdminReport } from '../../helpers/reports';

const properties: INodeProperties[] = [
	projectIdProperty,
	{
		displayName: 'Model',
		name: 'rateLimitModel',
		type: 'string',
		default: 'gpt-4o-mini',
		required: true,
		description: 'The model whose limit to change, as Get Project Rate Limits lists it',
	},
	{
		displayName: 'Max Requests per Minute',
		name: 'maxRequestsPerMinute',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: "0 leaves it unchanged. It can't exceed the organization's own limit.",
	},
	{
		displayName: 'Max Tokens per Minute',
		name: 'maxTokensPerMinute',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: "0 leaves it unchanged. It can't exceed the organization's own limit.",
	},
	requestSettingsProperty(),
];

export const description = updateDisplayOptions({ show: { resource: ['rateLimit'], operation: ['setProjectRateLimit'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runAdminReport(this, async (client, itemIndex) => {
		const projectId = readProjectId(this, itemIndex);
		const model = modelParameter(this, itemIndex, { name: 'rateLimitModel' });
		const requests = numberParameter(this, 'maxRequestsPerMinute', itemIndex, { field: 'Max Requests per Minute', min: 0, fallback: 0, integer: true })!;
		const tokens = numberParameter(this, 'maxTokensPerMinute', itemIndex, { field: 'Max Tokens per Minute', min: 0, fallback: 0, integer: true })!;
		if (requests === 0 && tokens === 0) {
			throw fieldError(this, itemIndex, 'Max Requests per Minute', 'nothing to change: both limits are 0 (unchanged)', {
				description: 'Give a new Max Requests per Minute, a new Max Tokens per Minute, or both.',
			});
		}
		const limits = await listProjectRateLimits(client, projectId, itemIndex);
		const current = limits.find((limit) => limit.model === model);
		if (!current) {
			throw fieldError(this, itemIndex, 'Model', `the project ${projectId} has no rate limit for "${model}"`, {
				description: `Its rate limits cover: ${limits.map((limit) => limit.model).join(', ') || 'no models'}. Use Get Project Rate Limits to list them.`,
			});
		}
		const body: IDataObject = {};
		if (requests > 0) body.max_requests_per_1_minute = requests;
		if (tokens > 0) body.max_tokens_per_1_minute = tokens;
		const result = await client.call<ProjectRateLimit>({
			method: 'POST',
			path: `${rateLimitsPath(projectId)}/${encodeURIComponent(current.id)}`,
			body,
			itemIndex,
			adminEndpoint: true,
			shape: SHAPES.withId,
		});
		return [{ ...rateLimitItem(projectId, result.body), previous: rateLimitItem(projectId, current) }];
	});
}
