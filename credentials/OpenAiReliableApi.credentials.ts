import type { IAuthenticate, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { authenticateWithKey, baseUrlProperty } from './common';

/**
 * Project (or service account) key for calling models. Tested by the nodes'
 * credential test (testedBy), which checks the key locally before calling GET /models.
 */
export class OpenAiReliableApi implements ICredentialType {
	name = 'openAiReliableApi';

	displayName = 'OpenAI Reliable API';

	documentationUrl = 'https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#openai-reliable-api';

	icon: Icon = { light: 'file:icons/openAiReliable.svg', dark: 'file:icons/openAiReliable.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'sk-proj-…',
			hint: 'Create one at platform.openai.com/api-keys and paste it without "Bearer " or quotes',
			description:
				'A secret key from https://platform.openai.com/api-keys: "sk-proj-…" (project), "sk-svcacct-…" (service account) or a legacy "sk-…" key. Spaces around it are ignored.',
		},
		{
			displayName: 'Organization ID (Optional)',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'org-…',
			hint: 'Only for keys that belong to several organizations. Leave empty otherwise.',
			description: 'Sent as the OpenAI-Organization header. Find it under Settings → Organization → General.',
		},
		{
			displayName: 'Project ID (Optional)',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'proj_…',
			hint: 'Only for legacy user keys with access to several projects. Leave empty otherwise.',
			description: 'Sent as the OpenAI-Project header. Find it under Settings → Projects (the ID, not the name).',
		},
		baseUrlProperty(
			'Keep the default for OpenAI. Change it only for an OpenAI-compatible server (vLLM, Ollama, OpenRouter, a proxy); the key format check then no longer applies.',
		),
	];

	authenticate: IAuthenticate = authenticateWithKey;
}
