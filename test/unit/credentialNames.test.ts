/**
 * n8n lists credential types by display name. The project key, which every calling node
 * needs, must come first; the admin one says what it is for (usage and costs), so that a
 * newcomer does not pick it for the Chat node.
 */
import { OpenAiReliableAdminApi } from '../../credentials/OpenAiReliableAdminApi.credentials';
import { OpenAiReliableApi } from '../../credentials/OpenAiReliableApi.credentials';

test('the project-key credential sorts before the admin one, however n8n compares names', () => {
	const api = new OpenAiReliableApi().displayName;
	const admin = new OpenAiReliableAdminApi().displayName;
	expect([admin, api].sort()).toEqual([api, admin]);
	expect([admin, api].sort((a, b) => a.localeCompare(b))).toEqual([api, admin]);
	expect([admin, api].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))).toEqual([api, admin]);
	expect(admin).toMatch(/Usage and Costs/);
	expect(admin).toMatch(/Admin API$/);
});
