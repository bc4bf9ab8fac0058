/**
 * The credential tests behind n8n's "Test" button. Two stages: the local checks of
 * credentialChecks (nothing is sent when they fail), then one live request:
 * GET /models for the API credential, an organization report for the admin one.
 * Failures are described by the same failures module the nodes use.
 */
import type { ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';

import { authHeaders } from '../../../credentials/common';
import { checkCredential, CredentialCheckError, type KeyKind } from '../http/credentialChecks';
import { quoteServer } from '../transport/errors';
import { describeHttpFailure, describeNetworkFailure } from '../http/failures';
import { requestIdOf, type HeaderBag } from '../http/headers';
import { redactSecrets } from '../http/redact';

const TEST_TIMEOUT_MS = 20_000;

interface LegacyResponse {
	body: unknown;
	headers: HeaderBag;
	statusCode: number;
}

function testPath(kind: KeyKind, nowMs: number): { path: string; adminEndpoint: boolean } {
	if (kind === 'project') return { path: '/models', adminEndpoint: false };
	const dayAgo = Math.floor(nowMs / 1000) - 86_400;
	return { path: `/organization/costs?start_time=${dayAgo}&limit=1`, adminEndpoint: true };
}

async function testCredential(ctx: ICredentialTestFunctions, credential: ICredentialsDecrypted, kind: KeyKind): Promise<INodeCredentialTestResult> {
	const fields = credential.data ?? {};
	const secret = typeof fields.apiKey === 'string' ? fields.apiKey : undefined;
	const finish = (status: 'OK' | 'Error', message: string): INodeCredentialTestResult => ({
		status,
		message: redactSecrets(message, [secret]),
	});

	let checked;
	try {
		checked = checkCredential(fields, kind);
	} catch (error) {
		if (error instanceof CredentialCheckError) {
			const { problem } = error;
			return finish('Error', `${problem.field}: ${problem.message}. ${problem.description} (Checked locally; nothing was sent.)`);
		}
		return finish('Error', 'The credential could not be read. Open it and save it again.');
	}

	const { path, adminEndpoint } = testPath(kind, Date.now());
	const context = { path: path.split('?')[0], baseUrl: checked.baseUrl, adminEndpoint, timeoutMs: TEST_TIMEOUT_MS };
	const warnings = checked.connectionWarnings.length ? ` Warning: ${checked.connectionWarnings.join(' ')}` : '';

	let response: LegacyResponse;
	try {
		response = (await ctx.helpers.request({
			uri: `${checked.baseUrl}${path}`,
			method: 'GET',
			headers: { ...authHeaders(fields), Accept: 'application/json' },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: TEST_TIMEOUT_MS,
		})) as LegacyResponse;
	} catch (error) {
		const failure = describeNetworkFailure(error, context);
		return finish('Error', `${failure.title}. ${failure.advice}${warnings}`);
	}

	const status = Number(response.statusCode);
	if (status >= 200 && status < 300 && response.body && typeof response.body === 'object') {
		const models = (response.body as { data?: unknown }).data;
		const detail =
			kind === 'project' && Array.isArray(models)
				? ` The key can use ${models.length} model${models.length === 1 ? '' : 's'}.`
				: kind === 'admin'
					? ' The admin key can read organization usage and costs.'
					: '';
		return finish('OK', `Connection successful.${detail}${warnings}`);
	}

	const failure = describeHttpFailure(status, response.body, response.headers, context);
	const meta = [`HTTP ${status}`];
	if (failure.code) meta.push(`code ${failure.code}`);
	const requestId = requestIdOf(response.headers);
	if (requestId) meta.push(`request id ${requestId}`);
	const hints = failure.kind === 'invalid_key' && checked.keyWarnings.length ? ` ${checked.keyWarnings.join(' ')}` : '';
	const said = failure.upstreamMessage ? ` ${quoteServer(failure.upstreamMessage)}` : '';
	// The plain sentence and what to do first; the server's words, then the codes, last.
	return finish('Error', `${failure.title}. ${failure.advice}${hints}${said} [${meta.join(', ')}]${warnings}`);
}

export async function testApiCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testCredential(this, credential, 'project');
}

export async function testAdminCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return await testCredential(this, credential, 'admin');
}
