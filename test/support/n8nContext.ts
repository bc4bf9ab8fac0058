/**
 * A stand-in for n8n's execution context, close to what n8n-core does:
 * httpRequestWithAuthentication runs the credential's authenticate(), sends with axios
 * (validateStatus, returnFullResponse, timeout, abort signal like n8n's OutboundHttp),
 * and wraps thrown errors in NodeApiError. The real n8n is exercised by `npm run e2e`.
 */
import axios, { type AxiosRequestConfig } from 'axios';
import {
	NodeApiError,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunctions,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type INode,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type IVersionedNodeType,
} from 'n8n-workflow';

import { OpenAiReliableAdminApi } from '../../credentials/OpenAiReliableAdminApi.credentials';
import { OpenAiReliableApi } from '../../credentials/OpenAiReliableApi.credentials';

const credentialTypes = {
	openAiReliableApi: new OpenAiReliableApi(),
	openAiReliableAdminApi: new OpenAiReliableAdminApi(),
};

export type ParameterValue = unknown | ((itemIndex: number, item: IDataObject) => unknown);

/** The node type that runs: a versioned node's given (or default) version. */
export function nodeTypeOf(node: INodeType | IVersionedNodeType, version?: number): INodeType {
	return 'nodeVersions' in node ? node.getNodeType(version) : node;
}

export interface ContextOptions {
	node: INodeType | IVersionedNodeType;
	items?: IDataObject[];
	parameters?: Record<string, ParameterValue>;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
	signal?: AbortSignal;
	/** n8n's execution id; each context gets its own unless given. */
	executionId?: string;
	/** The node's type version (versioned nodes). */
	typeVersion?: number;
	/** Input binary data per item, as n8n keeps it: { property: { data (base64), mimeType, fileName } }. */
	binary?: Array<Record<string, { data: string; mimeType: string; fileName?: string }>>;
}

export interface HttpCall {
	credentialType: string;
	method?: string;
	url: string;
}

export interface TestContext {
	ctx: IExecuteFunctions & ILoadOptionsFunctions;
	httpCalls: HttpCall[];
	/** Binary data the node read with getBinaryDataBuffer, in order. */
	binaryReads: Array<{ itemIndex: number; propertyName: string }>;
	logs: string[];
	/** What the node put into the execution's custom data. */
	customData: Record<string, string>;
	/** Execution hints the node added for the output pane. */
	hints: Array<{ message: string; type?: string; location?: string }>;
	/** Task metadata the node set (token usage). */
	metadata: IDataObject;
	/** Run data an AI sub-node wrote (n8n's tracing of each model call). */
	aiRunData: Array<{ kind: 'input' | 'output'; connectionType: string; runIndex?: number; data: unknown }>;
}

let executions = 0;

const testNode: INode = {
	id: 'test-node',
	name: 'Test Node',
	type: 'n8n-nodes-openai-reliable.test',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function findDefault(properties: INodeProperties[], name: string): unknown {
	const property = properties.find((p) => p.name === name);
	return property ? property.default : undefined;
}

/** axios config from n8n's request options, as @n8n/backend-network converts them. */
function toAxios(options: IHttpRequestOptions): AxiosRequestConfig {
	const config: AxiosRequestConfig = {
		method: options.method ?? 'GET',
		url: options.url,
		baseURL: options.baseURL,
		headers: { ...(options.headers as Record<string, string>), ...(options.json ? { Accept: 'application/json' } : {}) },
		params: options.qs,
		timeout: options.timeout,
		signal: options.abortSignal as AbortSignal | undefined,
		data: options.body,
	};
	if (options.arrayFormat === 'repeat') {
		config.paramsSerializer = (params: Record<string, unknown>) => {
			const search = new URLSearchParams();
			for (const [key, value] of Object.entries(params)) {
				if (value === undefined || value === null) continue;
				for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
			}
			return search.toString();
		};
	}
	if (options.ignoreHttpStatusErrors) config.validateStatus = () => true;
	if (options.encoding === 'stream') config.responseType = 'stream';
	if (options.encoding === 'text') config.responseType = 'text';
	return config;
}

export function createContext(options: ContextOptions): TestContext {
	const items = (options.items ?? [{}]).map((json, i) => (options.binary?.[i] ? { json, binary: options.binary[i] } : { json }));
	const customData: Record<string, string> = {};
	const hints: TestContext['hints'] = [];
	const metadata: IDataObject = {};
	const aiRunData: TestContext['aiRunData'] = [];
	const executionId = options.executionId ?? `test-${Date.now()}-${++executions}`;
	const node: INode = { ...testNode, typeVersion: options.typeVersion ?? testNode.typeVersion };
	const httpCalls: HttpCall[] = [];
	const binaryReads: Array<{ itemIndex: number; propertyName: string }> = [];
	const logs: string[] = [];
	const properties = nodeTypeOf(options.node, options.typeVersion).description.properties;
	const log = (level: string) => (message: string, meta?: unknown) => logs.push(`${level}: ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);

	const ctx = {
		getNode: () => node,
		getExecutionId: () => executionId,
		getWorkflow: () => ({ id: 'test-workflow', name: 'Test Workflow', active: false }),
		customData: {
			set: (key: string, value: string) => {
				customData[key] = value;
			},
			setAll: (values: Record<string, string>) => Object.assign(customData, values),
			get: (key: string) => customData[key],
			getAll: () => ({ ...customData }),
		},
		addExecutionHints: (...added: TestContext['hints']) => hints.push(...added),
		// What an AI sub-node's context has: n8n's tracing writes each model call's run data here.
		addInputData: (connectionType: string, data: unknown) => {
			aiRunData.push({ kind: 'input', connectionType, data });
			return { index: aiRunData.filter((entry) => entry.kind === 'input').length - 1 };
		},
		addOutputData: (connectionType: string, runIndex: number, data: unknown) => aiRunData.push({ kind: 'output', connectionType, runIndex, data }),
		logAiEvent: () => undefined,
		getNextRunIndex: () => 0,
		getMode: () => 'manual',
		isToolExecution: () => false,
		getExecuteData: () => ({ metadata: { ...metadata } }),
		setMetadata: (value: IDataObject) => Object.assign(metadata, value),
		getInputData: (): INodeExecutionData[] => items,
		continueOnFail: () => options.continueOnFail ?? false,
		getExecutionCancelSignal: () => options.signal,
		onExecutionCancellation: () => undefined,
		logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown, extra?: { extractValue?: boolean }) {
			const given = options.parameters?.[name];
			let value = typeof given === 'function' ? (given as (i: number, item: IDataObject) => unknown)(itemIndex, items[itemIndex]?.json ?? {}) : given;
			if (value === undefined) value = findDefault(properties, name);
			if (value === undefined) value = fallback;
			if (extra?.extractValue && value && typeof value === 'object' && 'value' in (value as object)) {
				value = (value as { value: unknown }).value;
			}
			return value;
		},
		async getCredentials(type: string) {
			const data = options.credentials?.[type];
			if (!data) throw new Error(`Node does not have credentials of type "${type}"`);
			return { ...data };
		},
		helpers: {
			async getBinaryDataBuffer(itemIndex: number, propertyName: string) {
				const entry = (items[itemIndex] as { binary?: Record<string, { data: string }> })?.binary?.[propertyName];
				if (!entry) throw new Error(`No binary data "${propertyName}" on item ${itemIndex}`);
				binaryReads.push({ itemIndex, propertyName });
				return Buffer.from(entry.data, 'base64');
			},
			async httpRequestWithAuthentication(this: unknown, credentialType: string, requestOptions: IHttpRequestOptions) {
				httpCalls.push({ credentialType, method: requestOptions.method, url: requestOptions.url });
				const type = credentialTypes[credentialType as keyof typeof credentialTypes];
				const data = options.credentials?.[credentialType] ?? {};
				// As n8n-core does: every authenticated request carries the execution's cancel signal.
				const withSignal = options.signal ? { ...requestOptions, abortSignal: options.signal } : { ...requestOptions };
				const authenticated = await (type.authenticate as (c: unknown, r: IHttpRequestOptions) => Promise<IHttpRequestOptions>)(data, withSignal);
				return await send(authenticated, requestOptions.returnFullResponse);
			},
			/** n8n's plain request helper: sent as given, no credential, no cancel signal added. */
			async httpRequest(requestOptions: IHttpRequestOptions) {
				httpCalls.push({ credentialType: '', method: requestOptions.method, url: requestOptions.url });
				return await send(requestOptions, requestOptions.returnFullResponse);
			},
		},
	};
	return { ctx: ctx as unknown as IExecuteFunctions & ILoadOptionsFunctions, httpCalls, binaryReads, logs, customData, hints, metadata, aiRunData };
}

/** Sends with axios as @n8n/backend-network does; the full response or its body. */
async function send(request: IHttpRequestOptions, full?: boolean): Promise<unknown> {
	try {
		const response = await axios.request(toAxios(request));
		if (!full) return response.data;
		return { body: response.data, headers: response.headers, statusCode: response.status, statusMessage: response.statusText };
	} catch (error) {
		throw new NodeApiError(testNode, error as never);
	}
}

/** The context of n8n's credential test button (legacy request helper, simple: false). */
export function createCredentialTestContext(): { ctx: ICredentialTestFunctions; calls: string[] } {
	const calls: string[] = [];
	const ctx = {
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			async request(options: { uri: string; method?: string; headers?: Record<string, string>; timeout?: number }) {
				calls.push(options.uri);
				const response = await axios.request({
					url: options.uri,
					method: options.method ?? 'GET',
					headers: options.headers,
					timeout: options.timeout,
					validateStatus: () => true,
				});
				return { body: response.data, headers: response.headers, statusCode: response.status };
			},
		},
	};
	return { ctx: ctx as unknown as ICredentialTestFunctions, calls };
}

export async function runNode(node: INodeType | IVersionedNodeType, test: TestContext, version?: number): Promise<INodeExecutionData[][]> {
	return (await nodeTypeOf(node, version).execute!.call(test.ctx)) as INodeExecutionData[][];
}
