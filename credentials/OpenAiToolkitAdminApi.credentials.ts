import type { IAuthenticate, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authenticateWithKey, baseUrlProperty } from './shared';

/**
 * Organization admin key for the Usage and Costs APIs. Tested by the Usage node's
 * credential test, which requires the "sk-admin-" format and reads one cost report.
 */
export class OpenAiToolkitAdminApi implements ICredentialType {
	name = 'openAiToolkitAdminApi';

	displayName = 'OpenAI Toolkit Admin API';

	documentationUrl = 'https://github.com/n8n-nodes-openai-toolkit/n8n-nodes-openai-toolkit#credentials';

	icon: Icon = { light: 'file:icons/openAiToolkit.svg', dark: 'file:icons/openAiToolkit.dark.svg' };

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
