/** Get Project Rate Limits: the limits OpenAI enforces for one project, per model (admin key). */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { listParameter } from '../../../shared/parameters';
import { listProjectRateLimits, projectIdProperty, rateLimitItem, readProjectId } from '../../helpers/projectRateLimits';
import { runAdminReport } from '../../helpers/reports';

const properties: INodeProperties[] = [
	projectIdProperty,
	{
		displayName: 'Only Models',
		name: 'rateLimitModels',
		type: 'string',
		default: '',
		placeholder: 'gpt-4o-mini, gpt-4o',
		description: 'Optional, comma-separated; empty lists every model',
	},
	requestSettingsProperty(),
];

export const description = updateDisplayOptions({ show: { resource: ['rateLimit'], operation: ['getProjectRateLimits'] } }, properties);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await runAdminReport(this, async (client, itemIndex) => {
		const projectId = readProjectId(this, itemIndex);
		const only = new Set(listParameter(this, 'rateLimitModels', itemIndex));
		const limits = await listProjectRateLimits(client, projectId, itemIndex);
		return limits.filter((limit) => only.size === 0 || only.has(limit.model)).map((limit) => rateLimitItem(projectId, limit));
	});
}
