import type { IAuthenticate, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authenticateWithKey, baseUrlProperty } from './common';

/**
 * Organization admin key for the Usage, Costs and project rate-limit APIs. Tested by the
 * Usage node's credential test, which requires the "sk-admin-" format and reads one cost report.
 */
export class OpenAiReliableAdminApi implements ICredentialType {
	name = 'openAiReliableAdminApi';

	// Sorts after "OpenAI Reliable API" in n8n's lists (by name), and says what it is for.
	displayName = 'OpenAI Reliable Usage and Costs Admin API';

	documentationUrl = 'https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#openai-reliable-usage-and-costs-admin-api';

	icon: Icon = { light: 'file:icons/openAiReliable.svg', dark: 'file:icons/openAiReliable.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Admin API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk-admin-…',
			hint: 'An organization owner creates admin keys at platform.openai.com/settings/organization/admin-keys',
			description: 'An organization admin key ("sk-admin-…"). Project keys cannot read usage and costs or change rate limits.',
		},
		baseUrlProperty('Keep the default unless you use a proxy in front of OpenAI.'),
	];

	authenticate: IAuthenticate = authenticateWithKey;
}
