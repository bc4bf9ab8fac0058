/** Shared fixtures: a mock server with known keys, and node contexts wired to it. */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { rateLimiters } from '../../nodes/shared/limits/rateLimiter';
import { executionFailures } from '../../nodes/shared/limits/registry';
import { executionSpend } from '../../nodes/shared/limits/spendCap';
import { createContext, runNode, type ContextOptions, type TestContext } from './n8nContext';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mock = require('./mock-openai') as typeof import('./mock-openai');

export const { fakeKey, startMockOpenAi } = mock;
export type MockServer = Awaited<ReturnType<typeof mock.startMockOpenAi>>;

export const PROJECT_KEY = fakeKey('proj', 'project');
export const ADMIN_KEY = fakeKey('admin', 'admin');

export async function startServer(options: Parameters<typeof mock.startMockOpenAi>[0] = {}): Promise<MockServer> {
	return await startMockOpenAi({ apiKeys: [PROJECT_KEY], adminKeys: [ADMIN_KEY], ...options });
}

export function apiCredential(server: { url: string }, extra: IDataObject = {}): ICredentialDataDecryptedObject {
	return { apiKey: PROJECT_KEY, baseUrl: server.url, organizationId: '', projectId: '', ...extra } as ICredentialDataDecryptedObject;
}

export function adminCredential(server: { url: string }, extra: IDataObject = {}): ICredentialDataDecryptedObject {
	return { apiKey: ADMIN_KEY, baseUrl: server.url, ...extra } as ICredentialDataDecryptedObject;
}

/** Fast retries for tests: real backoff shape, short waits. */
export const FAST_RETRY = { maxRetries: 3, maxWaitSeconds: 0.05, timeoutSeconds: 5 };

/** Request Settings as a user leaves them (Keep Retrying For 5 minutes, no Max Retries), with short backoffs. */
export const DEFAULT_RETRY = { maxWaitSeconds: 0.2 };

export interface NodeRun {
	output: INodeExecutionData[][];
	error?: Error & { description?: string | null; context?: IDataObject };
	test: TestContext;
}

/**
 * The process-wide state (one rate limiter per key, one spend ledger per execution)
 * outlives a run, as it does in n8n. Tests start from a fresh process unless they share it on purpose.
 */
export function freshProcessState(): void {
	rateLimiters.clear();
	executionSpend.clear();
	executionFailures.clear();
}

export async function execute(node: INodeType | IVersionedNodeType, options: Omit<ContextOptions, 'node'> & { keepProcessState?: boolean }): Promise<NodeRun> {
	if (!options.keepProcessState) freshProcessState();
	const test = createContext({ node, ...options });
	try {
		return { output: await runNode(node, test, options.typeVersion), test };
	} catch (error) {
		return { output: [], error: error as NodeRun['error'], test };
	}
}

/** The JSONL lines of the batch file the node uploaded (the first POST /files), parsed. */
export function uploadedLines(server: MockServer): Array<{ custom_id: string; url: string; body: Record<string, unknown> }> {
	const upload = server.requests.find((r) => r.path === '/files');
	if (!upload) throw new Error('no file was uploaded');
	return String(upload.body)
		.split('\r\n')
		.find((part) => part.startsWith('{"custom_id"'))!
		.split('\n')
		.filter(Boolean)
		.map((line) => JSON.parse(line) as { custom_id: string; url: string; body: Record<string, unknown> });
}

export function items(count: number, text = (i: number) => `item-${i}`): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({ text: text(i) }));
}
