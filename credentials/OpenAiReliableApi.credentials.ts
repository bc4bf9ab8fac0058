import type { IAuthenticate, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authenticateWithKey, baseUrlProperty } from './shared';

/**
 * Project (or service account) key for calling models. Tested by the nodes'
 * credential test (testedBy), which checks the key locally before calling GET /models.
 */
export class OpenAiReliableApi implements ICredentialType {
	name = 'openAiReliableApi';

	displayName = 'OpenAI Reliable API';

	documentationUrl = 'https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#credentials';

	icon: Icon = { light: 'file:icons/openAiReliable.svg', dark: 'file:icons/openAiReliable.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'A secret key from https://platform.openai.com/api-keys: "sk-proj-…" (project), "sk-svcacct-…" (service account) or a legacy "sk-…" key. Spaces around it are ignored.',
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'org-…',
			description:
				'Optional. Sent as the OpenAI-Organization header, for keys that belong to several organizations.',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'proj_…',
			description: 'Optional. Sent as the OpenAI-Project header, for legacy user keys with access to several projects.',
		},
		baseUrlProperty(
			'The API root. Change it only for an OpenAI-compatible server (Azure proxy, vLLM, Ollama, OpenRouter…); the key format check then no longer applies.',
		),
	];

	authenticate: IAuthenticate = authenticateWithKey;
}
