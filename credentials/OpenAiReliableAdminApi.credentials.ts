import type { IAuthenticate, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authenticateWithKey, baseUrlProperty } from './shared';

/**
 * Organization admin key for the Usage and Costs APIs. Tested by the Usage node's
 * credential test, which requires the "sk-admin-" format and reads one cost report.
 */
export class OpenAiReliableAdminApi implements ICredentialType {
	name = 'openAiReliableAdminApi';

	displayName = 'OpenAI Reliable Admin API';

	documentationUrl = 'https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#credentials';

	icon: Icon = { light: 'file:icons/openAiReliable.svg', dark: 'file:icons/openAiReliable.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Admin API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'An organization admin key ("sk-admin-…") from https://platform.openai.com/settings/organization/admin-keys. Only organization owners can create one. Project keys cannot read usage or costs.',
		},
		baseUrlProperty(
			'The API root. Leave the default unless you use a proxy in front of OpenAI.',
		),
	];

	authenticate: IAuthenticate = authenticateWithKey;
}
