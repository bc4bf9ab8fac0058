/** Pages of the OpenAI dashboard and of this package's README that messages point to. */

export const API_KEYS_PAGE = 'https://platform.openai.com/api-keys';
export const ADMIN_KEYS_PAGE = 'https://platform.openai.com/settings/organization/admin-keys';
export const BILLING_PAGE = 'https://platform.openai.com/settings/organization/billing';
export const LIMITS_PAGE = 'https://platform.openai.com/settings/organization/limits';
export const PROJECTS_PAGE = 'https://platform.openai.com/settings/organization/projects';
export const STATUS_PAGE = 'https://status.openai.com';
export const SUPPORTED_COUNTRIES_PAGE = 'https://platform.openai.com/docs/supported-countries';

export const README = 'https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#readme';

/** The README section of a node or credential, for documentationUrl and codex links. */
export function readmeSection(anchor: string): string {
	return `https://github.com/n8n-nodes-openai-reliable/n8n-nodes-openai-reliable#${anchor}`;
}
