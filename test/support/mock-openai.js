/**
 * A local stand-in for the OpenAI API, bound to 127.0.0.1 on a random port.
 * It answers like OpenAI: the same JSON bodies, error objects, x-request-id,
 * x-ratelimit-* and retry-after headers. Tests script it per request (status, error
 * code, delay, connection reset, hang, malformed body), and it can enforce rate limits
 * (RPM and TPM) as rate-limit-model.js describes OpenAI's, in the header dialect a test
 * or bench run chooses.
 *
 * Used by the jest suites, the n8n end-to-end run and the benchmark.
 * Plain JavaScript because it needs node:http, which the community-node lint bans in TypeScript.
 */
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const { BatchStore } = require('./mock-batches');
const { RateLimitModel, formatDuration } = require('./rate-limit-model');
const { mulberry32 } = require('./random');
const o200k = require('gpt-tokenizer/cjs/encoding/o200k_base');
const cl100k = require('gpt-tokenizer/cjs/encoding/cl100k_base');

const DEFAULT_MODELS = [
	'gpt-4o-mini',
	'gpt-4o',
	'gpt-4.1',
	'gpt-4.1-mini',
	'gpt-5',
	'gpt-5-mini',
	'gpt-5-nano',
	'o4-mini',
	'text-embedding-3-small',
	'whisper-1',
	'dall-e-3',
	'tts-1',
];

function requestId() {
	return `req_${crypto.randomBytes(16).toString('hex')}`;
}

function maskKey(key) {
	if (!key) return '';
	const prefix = key.startsWith('sk-proj-') ? 'sk-proj-' : key.startsWith('sk-admin-') ? 'sk-admin-' : 'sk-';
	return `${prefix}${'*'.repeat(Math.max(4, key.length - prefix.length - 4))}${key.slice(-4)}`;
}

function errorBody(message, type, code, param = null) {
	return { error: { message, type, param, code } };
}

/** Rough token count, the same on every call: 4 characters per token (Responses API stand-in only). */
function roughTokens(text) {
	return Math.max(1, Math.ceil(String(text).length / 4));
}

/** The encoding a model uses, as OpenAI documents it. */
function encodingOf(model) {
	return /^(gpt-4(?!o|\.)|gpt-3\.5)/.test(String(model)) ? cl100k : o200k;
}

/** The text of a message's content: a string, or the text parts of a content array. */
function contentText(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return content === null || content === undefined ? '' : JSON.stringify(content);
	return content.map((part) => (part && part.type === 'text' ? String(part.text ?? '') : '')).join('');
}

/**
 * Prompt tokens of a chat request as OpenAI counts them: each message costs 3 tokens of
 * framing plus its role and content (one more with a name), and the reply is primed with 3.
 * Counted with gpt-tokenizer, independently of the package's own tokenizer.
 */
function promptTokensOf(body) {
	const encoding = encodingOf(body.model);
	const messages = Array.isArray(body.messages) ? body.messages : [];
	let total = 3;
	for (const m of messages) {
		total += 3 + encoding.countTokens(String(m.role ?? '')) + encoding.countTokens(contentText(m.content));
		if (typeof m.name === 'string') total += 1 + encoding.countTokens(m.name);
	}
	return total;
}

/** The built-in tools' usage endpoints and the `object` word of their results. */
const TOOL_USAGE = {
	'GET /organization/usage/web_search_calls': 'web_searches',
	'GET /organization/usage/file_search_calls': 'file_searches',
	'GET /organization/usage/code_interpreter_sessions': 'code_interpreter_sessions',
};

const IMAGE_MAGIC = { png: '89504e47', jpeg: 'ffd8', gif: '47494638', webp: '52494646' };

/**
 * The images and files of a chat request, checked as OpenAI checks them: a data URL must
 * hold a PNG, JPEG, GIF or WEBP (by its bytes), a file part must hold a PDF. Returns the
 * list, or an error text for a 400. Images cost 85 tokens each here, PDFs 1,000 per file.
 */
function attachmentsOf(body) {
	const found = [];
	for (const m of Array.isArray(body.messages) ? body.messages : []) {
		if (!Array.isArray(m?.content)) continue;
		for (const part of m.content) {
			if (part?.type === 'image_url') {
				const url = String(part.image_url?.url ?? '');
				const data = /^data:image\/(png|jpeg|gif|webp);base64,(.*)$/s.exec(url);
				if (!data) {
					if (/^https?:\/\//.test(url)) {
						found.push({ kind: 'image', source: 'url', detail: part.image_url.detail, tokens: 85 });
						continue;
					}
					return { error: "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp']." };
				}
				const bytes = Buffer.from(data[2], 'base64');
				if (!bytes.toString('hex', 0, 4).startsWith(IMAGE_MAGIC[data[1]])) return { error: 'Invalid image: the data does not match its image type.' };
				found.push({ kind: 'image', mime: `image/${data[1]}`, bytes: bytes.length, detail: part.image_url.detail, tokens: 85 });
			} else if (part?.type === 'file') {
				const data = /^data:application\/pdf;base64,(.*)$/s.exec(String(part.file?.file_data ?? ''));
				const bytes = data ? Buffer.from(data[1], 'base64') : Buffer.alloc(0);
				if (!data || bytes.toString('latin1', 0, 5) !== '%PDF-') return { error: 'Invalid file data: expected a base64 PDF as a data URL.' };
				found.push({ kind: 'file', mime: 'application/pdf', bytes: bytes.length, filename: part.file.filename, tokens: 1000 });
			}
		}
	}
	return { found };
}

/**
 * Arguments for a tool call, made from the user's text: an arithmetic expression in it for
 * string fields (what n8n's Calculator tool takes), 42 for numbers.
 */
function toolArguments(tool, text, variant = 0) {
	const params = tool?.function?.parameters ?? {};
	const expression = (String(text).match(/[-+*\/().\d ]*\d[-+*\/().\d ]*/g) || []).map((s) => s.trim()).sort((a, b) => b.length - a.length)[0];
	const args = {};
	for (const [name, schema] of Object.entries(params.properties || {})) {
		if (schema && (schema.type === 'number' || schema.type === 'integer')) args[name] = 42 + variant;
		else if (schema && schema.type === 'boolean') args[name] = true;
		else args[name] = variant ? `${expression ?? text}+${variant}` : (expression ?? String(text));
	}
	return JSON.stringify(args);
}

/** A value that satisfies a JSON schema, for structured-output answers. */
function sampleFor(schema, text) {
	if (!schema || typeof schema !== 'object') return text;
	if (schema.enum) return schema.enum[0];
	switch (schema.type) {
		case 'object': {
			const out = {};
			for (const [key, sub] of Object.entries(schema.properties || {})) out[key] = sampleFor(sub, text);
			return out;
		}
		case 'array':
			return [sampleFor(schema.items, text)];
		case 'number':
		case 'integer':
			return 42;
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return text;
	}
}

/**
 * @typedef {object} Respond
 * @property {number} [status]
 * @property {any} [body]              object (sent as JSON) or string (sent raw)
 * @property {Record<string,string>} [headers]
 * @property {number} [delayMs]        wait before answering
 * @property {boolean} [hang]          never answer
 * @property {boolean} [resetMidBody]  send a 200 and half a body, then drop the connection
 * @property {boolean} [resetBeforeAnswer] drop the connection without any answer
 * @property {number} [breakStreamAfter]  streamed answers: cut the connection after this many chunks
 * @property {{ intervalMs: number, giveUpMs?: number }} [trickle] send a 200 at once, then the body one byte per interval
 *                                      (the server gives up after giveUpMs, default 20 s, and closes the connection)
 * @property {object} [usage]          override the usage object of a chat answer
 * @property {string} [content]        override the chat answer text
 *
 * @typedef {object} Rule
 * @property {(req: RecordedRequest) => boolean} match
 * @property {number} [times]          how many requests it applies to (default: all)
 * @property {Respond | ((req: RecordedRequest) => Respond)} respond
 *
 * @typedef {object} RecordedRequest
 * @property {number} seq
 * @property {string} method
 * @property {string} path            without the /v1 prefix
 * @property {Record<string,string|string[]>} query
 * @property {Record<string, any>} headers
 * @property {any} body
 * @property {string} [text]          last user message, for matching items
 * @property {number} at
 * @property {number} [doneAt]       when the answer left (not enumerable)
 * @property {number} [status]
 * @property {string} [outcome]
 * @property {object} [usage]        the usage object of a chat answer (what was billed)
 * @property {Array<{kind: string, mime?: string, bytes?: number, detail?: string, tokens: number}>} [attachments]  image and file parts of a chat request
 * @property {{purpose: string, filename?: string, lines: number}} [upload]  a file upload (POST /files)
 * @property {number} [toolCalls]     built-in tool calls a Responses answer made (each billed)
 * @property {boolean} [cancelled]    POST /responses/{id}/cancel that cancelled a running response
 */

class MockOpenAi {
	/**
	 * @param {object} [options]
	 * @param {string[]} [options.apiKeys]      keys accepted for model endpoints
	 * @param {string[]} [options.adminKeys]    keys accepted for organization endpoints
	 * @param {string[]} [options.models]
	 * @param {number} [options.latencyMs]
	 * @param {number} [options.jitterMs]
	 * @param {import('./rate-limit-model').RateLimitOptions} [options.rateLimit]  enforced and reported as rate-limit-model.js describes
	 * @param {number} [options.random429Rate]  share of chat requests rejected with a 429 at random
	 * @param {number} [options.seed]
	 * @param {boolean} [options.record]        keep every request (default true)
	 * @param {number} [options.dailyCostUsd]   cost per project per day in the Costs API
	 * @param {boolean} [options.loopTools]     with tools, always answer with a tool call (an Agent that loops)
	 */
	constructor(options = {}) {
		this.options = options;
		this.apiKeys = new Set(options.apiKeys || []);
		this.adminKeys = new Set(options.adminKeys || []);
		this.models = options.models || DEFAULT_MODELS;
		this.random = mulberry32(options.seed ?? 42);
		this.limiter = options.rateLimit ? new RateLimitModel(options.rateLimit) : undefined;
		/** Background responses by id: { final, createdAt, cancelled, answered } (see backgroundAnswer). */
		this.background = new Map();
		/** How long a background response takes to finish, in ms (options.backgroundMs, default 1,500). */
		this.backgroundMs = options.backgroundMs ?? 1500;
		/** @type {Rule[]} */
		this.rules = [];
		/** @type {RecordedRequest[]} */
		this.requests = [];
		this.counts = { total: 0, byStatus: /** @type {Record<string, number>} */ ({}), inFlight: 0, maxInFlight: 0 };
		this.batches = new BatchStore({ answerFor: (body, url) => this.batchAnswer(body, url) });
		this.sockets = new Set();
		this.server = http.createServer((req, res) => this.handle(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.url = '';
	}

	async start() {
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(undefined)));
		const address = /** @type {import('node:net').AddressInfo} */ (this.server.address());
		this.port = address.port;
		this.url = `http://127.0.0.1:${address.port}/v1`;
		return this;
	}

	async close() {
		for (const socket of this.sockets) socket.destroy();
		await new Promise((resolve) => this.server.close(() => resolve(undefined)));
	}

	/** @param {Rule} rule */
	script(rule) {
		this.rules.push({ times: Infinity, ...rule });
		return this;
	}

	reset() {
		this.rules = [];
		this.requests = [];
		this.counts = { total: 0, byStatus: {}, inFlight: 0, maxInFlight: 0 };
		if (this.limiter) this.limiter.reset();
		this.batches.reset();
		this.downtime = undefined;
		this.background = new Map();
		this.backgroundMs = this.options.backgroundMs ?? 1500;
	}

	/**
	 * An outage of `ms`, as OpenAI has them (status.openai.com: minutes of elevated errors),
	 * in one of the ways a client meets it:
	 * - `503`: every request answered 503 service_unavailable ("The server is overloaded or not ready yet.");
	 * - `502`: an HTML "502 Bad Gateway" page from the edge in front of the API;
	 * - `reset`: the connection is dropped without an answer;
	 * - `refused`: nothing listens on the port (the listener is closed and its connections cut).
	 * It begins with the first request that arrives after this call (or at once with `now:
	 * true`); for `refused`, that first request's connection is cut. Requests that reach the
	 * server during the outage are counted in `downtime.requests` (none can, while nothing listens).
	 * @param {{ mode: '503'|'502'|'reset'|'refused', ms: number, now?: boolean }} outage
	 */
	outage({ mode, ms, now = false }) {
		this.downtime = { mode, ms, from: undefined, requests: 0, starts: [] };
		if (now) this.beginOutage(Date.now());
		return this;
	}

	beginOutage(at) {
		const down = this.downtime;
		down.from = at;
		if (down.mode !== 'refused') return;
		// Nothing listens from now on: the port is closed and open connections are cut.
		this.server.close();
		for (const socket of this.sockets) socket.destroy();
		const reopen = setTimeout(() => {
			this.server.listen(this.port, '127.0.0.1');
			down.ended = Date.now();
		}, ms(down));
		reopen.unref?.();
		function ms(d) {
			return Math.max(0, d.from + d.ms - Date.now());
		}
	}

	/** During an outage, the answer every request gets (undefined otherwise). */
	outageAnswer(record) {
		const down = this.downtime;
		if (!down) return undefined;
		if (down.from === undefined) {
			this.beginOutage(record.at);
			if (down.mode === 'refused') {
				down.requests++;
				return { resetBeforeAnswer: true };
			}
		}
		if (down.mode === 'refused') return undefined;
		if (record.at >= down.from + down.ms) {
			down.ended ??= down.from + down.ms;
			return undefined;
		}
		down.requests++;
		down.starts.push(record.at);
		if (down.mode === 'reset') return { resetBeforeAnswer: true };
		if (down.mode === '502') {
			return {
				status: 502,
				body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>',
			};
		}
		return {
			status: 503,
			body: { error: { message: 'The server is overloaded or not ready yet.', type: 'service_unavailable_error', param: null, code: 'server_is_overloaded' } },
		};
	}

	/** The script for batches (see mock-batches.js); reset() clears it. */
	get batchScript() {
		return this.batches.script;
	}

	set batchScript(script) {
		this.batches.script = script;
	}

	/** A batch line's answer: the chat echo (or a Response, for /v1/responses lines), with usage counted as for a live request. */
	batchAnswer(body, url = '/v1/chat/completions') {
		if (url === '/v1/responses') return this.batchResponse(body);
		const messages = Array.isArray(body.messages) ? body.messages : [];
		const lastUser = [...messages].reverse().find((m) => m && m.role === 'user');
		const text = lastUser ? contentText(lastUser.content) : '';
		const format = body.response_format?.type;
		const content =
			format === 'json_schema'
				? JSON.stringify(sampleFor(body.response_format.json_schema?.schema, text))
				: format === 'json_object'
					? JSON.stringify({ echo: text })
					: `Echo: ${text}`;
		const prompt = promptTokensOf(body);
		const completion = encodingOf(body.model).countTokens(content);
		return {
			id: `chatcmpl-${crypto.randomBytes(12).toString('hex')}`,
			object: 'chat.completion',
			created: Math.floor(Date.now() / 1000),
			model: body.model,
			choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
			usage: {
				prompt_tokens: prompt,
				completion_tokens: completion,
				total_tokens: prompt + completion,
				prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
				completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
			},
			// What OpenAI reports in batch output lines; the price is the batch tier's all the same.
			service_tier: 'default',
			system_fingerprint: 'fp_mock',
		};
	}

	/** Requests whose last user message is exactly text. */
	requestsOf(text) {
		return this.requests.filter((r) => r.text === text);
	}

	setRateLimit(limits) {
		this.limiter = limits ? new RateLimitModel(limits) : undefined;
	}

	/**
	 * One answer's rate-limit headers: `limitHeaders()` reads them as the answer leaves, or, on a
	 * model with `headersAt: 'admission'`, as they stood when `admit()` let the request in
	 * (rate-limit-model.js).
	 */
	answerHeaders() {
		let admitted;
		return {
			limitHeaders: () => admitted ?? (this.limiter ? this.limiter.headers(Date.now()) : defaultLimitHeaders()),
			admit: () => {
				if (this.limiter?.headersAt === 'admission') admitted = this.limiter.headers(Date.now());
			},
		};
	}

	/**
	 * Changes latency, random 429s and the rate limit between runs (benchmark scenarios). Each run
	 * starts from the same random draws (the seed): runs side by side meet the same latencies and
	 * random 429s at the start, instead of the second one continuing the first one's sequence (a
	 * 30% storm took one build 174 s first and 306 s second, on the same pacing). `seed` gives a
	 * run other draws (repeated runs of one scenario).
	 * @param {{ latencyMs?: number, jitterMs?: number, random429Rate?: number, rateLimit?: import('./rate-limit-model').RateLimitOptions, seed?: number }} [options]
	 */
	configure({ latencyMs = 0, jitterMs = 0, random429Rate = 0, rateLimit, seed } = {}) {
		Object.assign(this.options, { latencyMs, jitterMs, random429Rate });
		this.random = mulberry32(seed ?? this.options.seed ?? 42);
		this.setRateLimit(rateLimit);
		this.reset();
	}

	/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
	async handle(req, res) {
		const chunks = [];
		for await (const chunk of req) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		const url = new URL(req.url || '/', 'http://127.0.0.1');
		let body;
		try {
			body = raw ? JSON.parse(raw) : undefined;
		} catch {
			body = raw;
		}
		const path = url.pathname.replace(/^\/v1/, '');
		/** @type {Record<string, string|string[]>} */
		const query = {};
		for (const key of new Set(url.searchParams.keys())) {
			const all = url.searchParams.getAll(key);
			query[key] = all.length > 1 ? all : all[0];
		}
		const messages = body && Array.isArray(body.messages) ? body.messages : undefined;
		const lastUser = messages ? [...messages].reverse().find((m) => m && m.role === 'user') : undefined;
		/** @type {RecordedRequest} */
		const record = {
			seq: ++this.counts.total,
			method: req.method || 'GET',
			path,
			query,
			headers: { ...req.headers },
			body,
			text: lastUser ? contentText(lastUser.content) : typeof body?.input === 'string' ? body.input : undefined,
			at: Date.now(),
		};
		if (this.options.record !== false) this.requests.push(record);
		Object.defineProperty(record, 'response', { value: res, enumerable: false });
		this.counts.inFlight++;
		this.counts.maxInFlight = Math.max(this.counts.maxInFlight, this.counts.inFlight);
		res.on('close', () => {
			this.counts.inFlight--;
			// When the answer left (or the connection closed): the server's side of a run's span.
			Object.defineProperty(record, 'doneAt', { value: Date.now(), enumerable: false, writable: true });
		});

		const down = this.outageAnswer(record);
		if (down) return await this.answer(record, down, res);
		const rule = this.rules.find((r) => (r.times ?? Infinity) > 0 && r.match(record));
		let respond;
		if (rule) {
			rule.times = (rule.times ?? Infinity) - 1;
			respond = typeof rule.respond === 'function' ? rule.respond(record) : rule.respond;
		}
		await this.answer(record, respond, res);
	}

	count(record, status, outcome) {
		record.status = status;
		record.outcome = outcome;
		this.counts.byStatus[status] = (this.counts.byStatus[status] || 0) + 1;
	}

	latency() {
		const base = this.options.latencyMs || 0;
		const jitter = this.options.jitterMs || 0;
		return Math.max(0, base + (this.random() * 2 - 1) * jitter);
	}

	/**
	 * @param {RecordedRequest} record
	 * @param {Respond | undefined} respond
	 * @param {http.ServerResponse} res
	 */
	async answer(record, respond, res) {
		const rid = requestId();
		const send = (status, payload, headers = {}, outcome = 'answered') => {
			if (res.destroyed) return;
			this.count(record, status, outcome);
			const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
			res.writeHead(status, {
				'content-type': typeof payload === 'string' && /^\s*</.test(payload) ? 'text/html' : 'application/json',
				'x-request-id': rid,
				'openai-version': '2020-10-01',
				'openai-processing-ms': String(Math.round(this.options.latencyMs || 1)),
				...headers,
			});
			res.end(text);
		};
		const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

		if (respond?.delayMs) await wait(respond.delayMs);
		if (respond?.hang) {
			this.count(record, 0, 'hung');
			return;
		}
		if (respond?.resetBeforeAnswer) {
			this.count(record, 0, 'reset');
			res.socket?.destroy();
			return;
		}
		if (respond?.resetMidBody) {
			this.count(record, 0, 'reset-mid-body');
			res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400', 'x-request-id': rid });
			res.write('{"id":"chatcmpl-partial","object":"chat.completion","choices":[{"index":0,');
			setTimeout(() => res.socket?.destroy(), 5);
			return;
		}
		if (respond?.trickle) {
			this.count(record, 200, 'trickle');
			res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': rid });
			const text = JSON.stringify({
				id: 'chatcmpl-slow',
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: 'slow' }, finish_reason: 'stop' }],
			});
			const giveUpAt = Date.now() + (respond.trickle.giveUpMs ?? 20_000);
			for (let i = 0; i < text.length && !res.destroyed; i++) {
				if (Date.now() > giveUpAt) {
					res.socket?.destroy();
					return;
				}
				res.write(text[i]);
				await wait(respond.trickle.intervalMs);
			}
			if (!res.destroyed) res.end();
			return;
		}
		if (respond && respond.status !== undefined) {
			return send(respond.status, respond.body ?? '', respond.headers);
		}

		const route = `${record.method} ${record.path}`;
		const organization = record.path.startsWith('/organization/');
		const auth = String(record.headers.authorization || '');
		const key = auth.replace(/^Bearer\s+/i, '');
		if (!auth) {
			return send(
				401,
				errorBody(
					"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
					'invalid_request_error',
					null,
				),
			);
		}
		if (organization) {
			if (!this.adminKeys.has(key)) {
				if (this.apiKeys.has(key)) {
					return send(
						401,
						errorBody(
							"You have insufficient permissions for this operation. Missing scopes: api.usage.read. Check that you have the correct role in your organization, and if you're using a restricted API key, that it has the necessary scopes.",
							'invalid_request_error',
							null,
						),
					);
				}
				return send(
					401,
					errorBody(
						`Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
						'invalid_request_error',
						'invalid_api_key',
					),
				);
			}
		} else if (!this.apiKeys.has(key)) {
			return send(
				401,
				errorBody(
					`Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
					'invalid_request_error',
					'invalid_api_key',
				),
			);
		}

		if (route === 'GET /models') {
			return send(200, {
				object: 'list',
				data: this.models.map((id, i) => ({ id, object: 'model', created: 1_700_000_000 + i * 1000, owned_by: 'system' })),
			});
		}
		if (route === 'POST /chat/completions') return await this.chat(record, respond, send, wait);
		if (route === 'POST /responses') return await this.responses(record, send, wait);
		const backgroundRoute = /^\/responses\/([^/]+)(\/cancel)?$/.exec(record.path);
		if (backgroundRoute && (record.method === 'GET' || (record.method === 'POST' && backgroundRoute[2])))
			return this.backgroundAnswer(record, send, backgroundRoute[1], !!backgroundRoute[2]);
		if (route === 'GET /organization/usage/completions') return send(200, this.usagePage(record.query));
		if (TOOL_USAGE[route]) return send(200, this.toolUsagePage(record.query, TOOL_USAGE[route]));
		if (route === 'GET /organization/costs') return send(200, this.costsPage(record.query));
		if (this.batches.handles(record)) return this.batches.answer(record, send);
		return send(404, errorBody(`Invalid URL (${record.method} /v1${record.path})`, 'invalid_request_error', null));
	}

	/**
	 * The rate-limit answer a model request gets, if any, on /chat/completions and /responses
	 * alike (OpenAI's rate-limits guide and error codes: a 429 with code rate_limit_exceeded, the
	 * limit, what was used and when to try again, in the message and in retry-after /
	 * retry-after-ms): a request larger than the TPM limit, a spent short window (the limiter's
	 * model), or a random 429 (random429Rate). Undefined: the request goes on.
	 */
	rateLimited(model, requested, now, send, limitHeaders) {
		const refuse = (...answer) => {
			send(...answer);
			return true;
		};
		if (this.limiter) {
			const denied = this.limiter.take(requested, now);
			if (denied) {
				if (denied.waitMs < 0) {
					return refuse(
						429,
						errorBody(
							`Request too large for ${model} in organization org-mock on tokens per min (TPM): Limit ${denied.limit}, Requested ${denied.requested}. The input or output tokens must be reduced in order to run successfully. Visit https://platform.openai.com/account/rate-limits to learn more.`,
							'tokens',
							'rate_limit_exceeded',
						),
						limitHeaders(),
					);
				}
				const unit = denied.kind === 'requests' ? 'requests per min (RPM)' : 'tokens per min (TPM)';
				return refuse(
					429,
					errorBody(
						`Rate limit reached for ${model} in organization org-mock on ${unit}: Limit ${denied.limit}, Used ${denied.used}, Requested ${denied.kind === 'requests' ? 1 : denied.requested}. Please try again in ${formatDuration(denied.waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
						denied.kind,
						'rate_limit_exceeded',
					),
					{
						...limitHeaders(),
						'retry-after': String(Math.max(1, Math.ceil(denied.waitMs / 1000))),
						'retry-after-ms': String(Math.max(1, Math.ceil(denied.waitMs))),
					},
				);
			}
		}
		if (this.options.random429Rate && this.random() < this.options.random429Rate) {
			const waitMs = 50 + Math.floor(this.random() * 200);
			return refuse(
				429,
				errorBody(
					`Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit 600, Used 600, Requested 1. Please try again in ${waitMs}ms.`,
					'requests',
					'rate_limit_exceeded',
				),
				{ ...limitHeaders(), 'retry-after-ms': String(waitMs) },
			);
		}
		return false;
	}

	async chat(record, respond, send, wait) {
		const body = record.body || {};
		const model = body.model;
		if (typeof model !== 'string' || !this.models.includes(model)) {
			return send(404, errorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'));
		}
		const attachments = attachmentsOf(body);
		if (attachments.error) return send(400, errorBody(attachments.error, 'invalid_request_error', 'invalid_image_format'));
		record.attachments = attachments.found;
		const promptTokens = promptTokensOf(body) + attachments.found.reduce((sum, a) => sum + a.tokens, 0);
		const maxOut = body.max_completion_tokens ?? body.max_tokens;
		const requested = promptTokens + (maxOut ?? 256);
		const now = Date.now();
		const { limitHeaders, admit } = this.answerHeaders();

		if (this.rateLimited(model, requested, now, send, limitHeaders)) return;
		admit();
		const latency = this.latency();
		if (latency) await wait(latency);

		const text = record.text ?? '';
		const format = body.response_format?.type;
		const tools = Array.isArray(body.tools) ? body.tools : [];
		const messagesIn = Array.isArray(body.messages) ? body.messages : [];
		const lastMessage = messagesIn[messagesIn.length - 1];
		/** With tools: call one (two when the prompt says "parallel") until a tool result comes back; `loopTools` never stops. */
		let toolCalls;
		if (tools.length && (this.options.loopTools || !lastMessage || lastMessage.role !== 'tool')) {
			const count = /parallel/i.test(text) ? 2 : 1;
			toolCalls = Array.from({ length: count }, (_, i) => ({
				id: `call_${crypto.randomBytes(6).toString('hex')}`,
				type: 'function',
				function: { name: tools[0].function.name, arguments: toolArguments(tools[0], text, i) },
			}));
		}
		const toolResults = messagesIn.filter((m) => m && m.role === 'tool').map((m) => contentText(m.content));
		record.toolCalls = toolCalls ? toolCalls.length : 0;
		const seen = record.attachments.length ? ` [${record.attachments.map((a) => a.mime ?? 'image link').join(', ')}]` : '';
		let content = respond?.content ?? (toolResults.length && !toolCalls ? `Final: ${toolResults.join(' & ')}` : `Echo: ${text}${seen}`);
		if (!respond?.content && format === 'json_object') {
			// n8n's Structured Output Parser asks for the answer inside an "output" key; follow such instructions.
			const wrapped = messagesIn.some((m) => /"output"/.test(contentText(m?.content)));
			content = JSON.stringify(wrapped ? { output: { echo: text } } : { echo: text });
		}
		if (!respond?.content && format === 'json_schema') content = JSON.stringify(sampleFor(body.response_format.json_schema?.schema, text));
		const reasoning = /^(o\d|gpt-5)/.test(model) ? 16 : 0;
		if (toolCalls) content = null;
		let completionTokens = encodingOf(model).countTokens(content ?? JSON.stringify(toolCalls)) + reasoning;
		let finish = toolCalls ? 'tool_calls' : 'stop';
		if (maxOut !== undefined && completionTokens > maxOut) {
			completionTokens = maxOut;
			finish = 'length';
		}
		const usage = respond?.usage ?? {
			prompt_tokens: promptTokens,
			completion_tokens: completionTokens,
			total_tokens: promptTokens + completionTokens,
			prompt_tokens_details: { cached_tokens: promptTokens >= 1024 ? Math.floor(promptTokens / 128) * 64 : 0, audio_tokens: 0 },
			completion_tokens_details: {
				reasoning_tokens: reasoning,
				audio_tokens: 0,
				accepted_prediction_tokens: 0,
				rejected_prediction_tokens: 0,
			},
		};
		record.usage = usage;
		const id = `chatcmpl-${crypto.randomBytes(12).toString('hex')}`;
		const answeredModel = model === 'gpt-4o-mini' ? 'gpt-4o-mini-2024-07-18' : model;
		const serviceTier = body.service_tier && body.service_tier !== 'auto' ? body.service_tier : 'default';
		if (body.stream)
			return this.streamAnswer(
				record,
				{ id, model: answeredModel, content, toolCalls, finish, usage, serviceTier, includeUsage: !!body.stream_options?.include_usage },
				limitHeaders(),
				respond,
			);
		const message = { role: 'assistant', content, refusal: null, annotations: [] };
		if (toolCalls) message.tool_calls = toolCalls;
		return send(
			200,
			{
				id,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: answeredModel,
				choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
				usage,
				service_tier: serviceTier,
				system_fingerprint: 'fp_mock',
			},
			limitHeaders(),
			'completion',
		);
	}

	/**
	 * A streamed answer as OpenAI sends it: a role chunk, content (or tool-call) deltas in
	 * pieces, a chunk with the finish reason, then a usage chunk when asked for, and [DONE].
	 * `respond.breakStreamAfter` cuts the connection after that many chunks.
	 */
	async streamAnswer(record, answer, headers, respond) {
		const res = record.response;
		this.count(record, 200, 'completion');
		res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId(), ...headers });
		const base = {
			id: answer.id,
			object: 'chat.completion.chunk',
			created: Math.floor(Date.now() / 1000),
			model: answer.model,
			service_tier: answer.serviceTier,
			system_fingerprint: 'fp_mock',
		};
		const chunks = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: answer.toolCalls ? null : '' }, finish_reason: null }] }];
		if (answer.toolCalls) {
			answer.toolCalls.forEach((call, index) => {
				const args = call.function.arguments;
				const half = Math.ceil(args.length / 2);
				chunks.push({
					...base,
					choices: [
						{
							index: 0,
							delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: args.slice(0, half) } }] },
							finish_reason: null,
						},
					],
				});
				chunks.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, finish_reason: null }] });
			});
		} else {
			const words = String(answer.content).split(/(?<= )/);
			for (const piece of words) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
		}
		chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: answer.finish }] });
		if (answer.includeUsage) chunks.push({ ...base, choices: [], usage: answer.usage });
		let sent = 0;
		for (const chunk of chunks) {
			if (res.destroyed) return;
			if (respond?.breakStreamAfter !== undefined && sent >= respond.breakStreamAfter) {
				record.outcome = 'stream-broken';
				res.socket?.destroy();
				return;
			}
			res.write(`data: ${JSON.stringify(chunk)}\n\n`);
			sent++;
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		res.end('data: [DONE]\n\n');
	}

	/**
	 * The Responses API (POST /responses), shaped by OpenAI's spec (CreateResponse → Response):
	 * input as a string or items (input_text, input_image, input_file, function_call_output),
	 * instructions, max_output_tokens (a longer answer comes back `incomplete`, cut at it), and
	 * the built-in tools, each called once per request while max_tool_calls allows:
	 * web_search (a web_search_call, two url_citation annotations, and the search content
	 * counted as input tokens, as OpenAI bills it: options.searchTokens, default 1,000),
	 * file_search (a file_search_call with one result and a file_citation), code_interpreter
	 * (a code_interpreter_call in one container). reasoning.summary gives a reasoning item.
	 * A prompt with "[filtered]" ends `incomplete` with the reason content_filter, one with
	 * "[fails]" ends `failed` with an error (the Response object's status, incomplete_details
	 * and error, OpenAI's API reference); both are billed, as the usage they carry says.
	 * Rate limits, random 429s and latency as for chat completions.
	 */
	async responses(record, send, wait) {
		const body = record.body || {};
		const model = body.model;
		const now = Date.now();
		const itemText = (m) =>
			typeof m.content === 'string'
				? m.content
				: Array.isArray(m.content)
					? m.content.map((p) => (p.type === 'input_text' ? p.text : '')).join('')
					: typeof m.output === 'string'
						? m.output
						: '';
		const items = Array.isArray(body.input) ? body.input : [{ role: 'user', content: String(body.input ?? '') }];
		const input = items.map(itemText).join(' ');
		const lastUser = [...items].reverse().find((m) => m.role === 'user');
		record.text = lastUser ? itemText(lastUser) : input;
		const tools = Array.isArray(body.tools) ? body.tools : [];
		const has = (type) => tools.some((t) => t.type === type);
		let inputTokens = roughTokens(`${body.instructions ?? ''} ${input}`) + 3;
		const { limitHeaders, admit } = this.answerHeaders();
		if (this.rateLimited(model, inputTokens + (body.max_output_tokens ?? 256), now, send, limitHeaders)) return;
		admit();
		const latency = this.latency();
		if (latency) await wait(latency);
		const id = (prefix) => `${prefix}_${crypto.randomBytes(8).toString('hex')}`;
		const output = [];
		const annotations = [];
		let calls = 0;
		const maxCalls = typeof body.max_tool_calls === 'number' ? body.max_tool_calls : Number.POSITIVE_INFINITY;
		let text = `Echo: ${lastUser ? itemText(lastUser) : input}`;
		if (body.reasoning && body.reasoning.summary) {
			output.push({ type: 'reasoning', id: id('rs'), summary: [{ type: 'summary_text', text: 'Read the question, then answered it.' }] });
		}
		if (has('web_search') && calls < maxCalls) {
			calls++;
			inputTokens += this.options.searchTokens ?? 1000;
			output.push({
				type: 'web_search_call',
				id: id('ws'),
				status: 'completed',
				action: { type: 'search', query: text.slice(6, 60), queries: [text.slice(6, 60)] },
			});
			const sources = [
				{ url: 'https://docs.n8n.io/integrations/community-nodes/', title: 'Community nodes | n8n Docs' },
				{ url: 'https://platform.openai.com/docs/guides/tools-web-search', title: 'Web search - OpenAI API' },
			];
			text += ' [sources]';
			for (const source of sources) annotations.push({ type: 'url_citation', url: source.url, title: source.title, start_index: 0, end_index: text.length });
		}
		if (has('file_search') && calls < maxCalls) {
			calls++;
			const file = { file_id: 'file-mockhandbook', filename: 'handbook.pdf' };
			output.push({
				type: 'file_search_call',
				id: id('fs'),
				status: 'completed',
				queries: [text.slice(6, 60)],
				results: [{ ...file, text: 'A page of the handbook.', score: 0.9 }],
			});
			annotations.push({ type: 'file_citation', ...file, index: 0 });
		}
		if (has('code_interpreter') && calls < maxCalls) {
			calls++;
			output.push({
				type: 'code_interpreter_call',
				id: id('ci'),
				status: 'completed',
				container_id: 'cntr_mock',
				code: 'print(6 * 7)',
				outputs: [{ type: 'logs', logs: '42' }],
			});
		}
		// Function tools (the Agent's): call the first one until its result comes back (`loopTools`: never stop), as for chat.
		const functions = tools.filter((t) => t.type === 'function');
		const lastItem = items[items.length - 1];
		const toolResults = items.filter((m) => m && m.type === 'function_call_output').map((m) => String(m.output));
		let functionCalls;
		if (functions.length && (this.options.loopTools || !lastItem || lastItem.type !== 'function_call_output')) {
			const args = toolArguments({ function: { parameters: functions[0].parameters } }, record.text);
			functionCalls = [
				{
					type: 'function_call',
					id: id('fc'),
					call_id: `call_${crypto.randomBytes(6).toString('hex')}`,
					name: functions[0].name,
					arguments: args,
					status: 'completed',
				},
			];
		} else if (toolResults.length) text = `Final: ${toolResults.join(' & ')}`;
		const format = body.text && body.text.format;
		if (format && format.type === 'json_schema') text = JSON.stringify(sampleFor(format.schema || {}, text));
		if (format && format.type === 'json_object') text = JSON.stringify({ answer: text });
		let outputTokens = functionCalls ? roughTokens(JSON.stringify(functionCalls)) : roughTokens(text);
		let status = 'completed';
		let incomplete = null;
		if (typeof body.max_output_tokens === 'number' && outputTokens > body.max_output_tokens) {
			text = text
				.split(/\s+/)
				.slice(0, Math.max(1, body.max_output_tokens))
				.join(' ')
				.slice(0, body.max_output_tokens * 4);
			outputTokens = body.max_output_tokens;
			status = 'incomplete';
			incomplete = { reason: 'max_output_tokens' };
		}
		let failure = null;
		if (/\[filtered\]/.test(record.text ?? '')) {
			status = 'incomplete';
			incomplete = { reason: 'content_filter' };
		} else if (/\[fails\]/.test(record.text ?? '')) {
			status = 'failed';
			failure = { code: 'server_error', message: 'The model failed to generate a response.' };
		}
		const usage = {
			input_tokens: inputTokens,
			// cache_write_tokens: required by the spec's ResponseUsage (0: nothing written to the cache).
			input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
			output_tokens: outputTokens,
			output_tokens_details: { reasoning_tokens: 0 },
			total_tokens: inputTokens + outputTokens,
		};
		record.usage = usage;
		record.toolCalls = calls;
		if (functionCalls) output.push(...functionCalls);
		else
			output.push({
				type: 'message',
				id: id('msg'),
				status: status === 'completed' ? 'completed' : 'incomplete',
				role: 'assistant',
				content: [{ type: 'output_text', text, annotations, logprobs: [] }],
			});
		const response = {
			id: `resp_${crypto.randomBytes(12).toString('hex')}`,
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status,
			error: failure,
			incomplete_details: incomplete,
			instructions: body.instructions ?? null,
			model,
			tools,
			...(typeof body.max_tool_calls === 'number' ? { max_tool_calls: body.max_tool_calls } : {}),
			output,
			parallel_tool_calls: true,
			previous_response_id: body.previous_response_id ?? null,
			store: body.store ?? true,
			metadata: {},
			tool_choice: 'auto',
			temperature: body.temperature ?? 1,
			top_p: body.top_p ?? 1,
			usage,
		};
		if (body.background) {
			// Background mode (OpenAI's guide "Background mode"): the POST answers at once with the
			// response queued; GET /responses/{id} gives its status until it is done; its usage is billed then.
			this.background.set(response.id, { final: response, createdAt: Date.now(), cancelled: false, answered: false, record });
			return send(
				200,
				{ ...response, status: 'queued', background: true, output: [], usage: undefined, incomplete_details: null },
				limitHeaders(),
				'background-queued',
			);
		}
		if (body.stream) return this.streamResponse(record, response, limitHeaders());
		return send(200, response, limitHeaders(), 'completion');
	}

	/**
	 * A streamed Response (server-sent events, as OpenAI's guide "Streaming API responses" and
	 * the spec's ResponseStreamEvent types): response.created, response.in_progress; per output
	 * item response.output_item.added, a message's text between response.content_part.added and
	 * response.content_part.done in response.output_text.delta pieces, or a function
	 * call's arguments in response.function_call_arguments.delta pieces, response.output_item.done;
	 * then response.completed carrying the whole Response with its usage.
	 */
	async streamResponse(record, response, headers) {
		const res = record.response;
		this.count(record, 200, 'completion');
		res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId(), ...headers });
		let sequence = 0;
		const started = { ...response, status: 'in_progress', output: [], usage: undefined };
		const events = [
			{ type: 'response.created', response: started },
			{ type: 'response.in_progress', response: started },
		];
		response.output.forEach((item, outputIndex) => {
			if (item.type === 'message') {
				events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
				const part = item.content[0];
				const text = part.text;
				const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
				events.push({ type: 'response.content_part.added', ...at, part: { ...part, text: '', annotations: [] } });
				for (const piece of text.split(/(?<= )/)) events.push({ type: 'response.output_text.delta', ...at, delta: piece, logprobs: [] });
				events.push({ type: 'response.output_text.done', ...at, text, logprobs: [] });
				events.push({ type: 'response.content_part.done', ...at, part });
			} else if (item.type === 'function_call') {
				events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } });
				const half = Math.ceil(item.arguments.length / 2);
				for (const delta of [item.arguments.slice(0, half), item.arguments.slice(half)])
					events.push({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: outputIndex, delta });
				events.push({ type: 'response.function_call_arguments.done', item_id: item.id, name: item.name, output_index: outputIndex, arguments: item.arguments });
			} else events.push({ type: 'response.output_item.added', output_index: outputIndex, item });
			events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
		});
		events.push({ type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response });
		for (const event of events) {
			if (res.destroyed) return;
			res.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence++ })}\n\n`);
			await new Promise((resolve) => setTimeout(resolve, 2));
		}
		res.end();
	}

	/**
	 * GET /responses/{id}: a background response, `in_progress` until backgroundMs after it was
	 * created, then the whole answer (billed: outcome 'completion', once). POST
	 * /responses/{id}/cancel: cancelled, unless it was already done (OpenAI: cancelling a finished
	 * response has no effect). An unknown id is a 404, as OpenAI answers.
	 */
	backgroundAnswer(record, send, id, cancel) {
		const entry = this.background.get(id);
		if (!entry) return send(404, errorBody(`Response with id '${id}' not found.`, 'invalid_request_error', null));
		const done = !entry.cancelled && Date.now() - entry.createdAt >= this.backgroundMs;
		if (cancel) {
			if (!done) entry.cancelled = true;
			record.cancelled = !done;
			return send(
				200,
				{ ...entry.final, status: done ? entry.final.status : 'cancelled', background: true, ...(done ? {} : { output: [], usage: undefined }) },
				{},
				'background-cancel',
			);
		}
		if (entry.cancelled) return send(200, { ...entry.final, status: 'cancelled', background: true, output: [], usage: undefined }, {}, 'background-poll');
		if (!done) return send(200, { ...entry.final, status: 'in_progress', background: true, output: [], usage: undefined }, {}, 'background-poll');
		const first = !entry.answered;
		entry.answered = true;
		if (first) {
			record.usage = entry.final.usage;
			record.toolCalls = entry.record.toolCalls;
			record.text = entry.record.text;
		}
		return send(200, { ...entry.final, background: true }, {}, first ? 'completion' : 'background-poll');
	}

	/** A /v1/responses batch line's answer: a completed Response echoing the last user input. */
	batchResponse(body) {
		const items = Array.isArray(body.input) ? body.input : [{ role: 'user', content: String(body.input ?? '') }];
		const lastUser = [...items].reverse().find((m) => m && m.role === 'user');
		const text = lastUser
			? contentText(typeof lastUser.content === 'string' ? lastUser.content : (lastUser.content || []).map((p) => ({ type: 'text', text: p.text ?? '' })))
			: '';
		const format = body.text && body.text.format;
		const content =
			format && format.type === 'json_schema'
				? JSON.stringify(sampleFor(format.schema || {}, text))
				: format && format.type === 'json_object'
					? JSON.stringify({ echo: text })
					: `Echo: ${text}`;
		const input = roughTokens(`${body.instructions ?? ''} ${text}`) + 3;
		const output = roughTokens(content);
		return {
			id: `resp_${crypto.randomBytes(12).toString('hex')}`,
			object: 'response',
			created_at: Math.floor(Date.now() / 1000),
			status: 'completed',
			error: null,
			incomplete_details: null,
			instructions: body.instructions ?? null,
			model: body.model,
			tools: [],
			output: [
				{
					type: 'message',
					id: `msg_${crypto.randomBytes(8).toString('hex')}`,
					status: 'completed',
					role: 'assistant',
					content: [{ type: 'output_text', text: content, annotations: [], logprobs: [] }],
				},
			],
			parallel_tool_calls: true,
			metadata: {},
			tool_choice: 'auto',
			temperature: body.temperature ?? 1,
			top_p: body.top_p ?? 1,
			usage: {
				input_tokens: input,
				input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
				output_tokens: output,
				output_tokens_details: { reasoning_tokens: 0 },
				total_tokens: input + output,
			},
			service_tier: 'default',
		};
	}

	/** Bucket boundaries for [start, end) at the given width, as the Usage API lays them out. */
	buckets(query, defaultLimit, maxLimit) {
		const width = query.bucket_width || '1d';
		const step = width === '1m' ? 60 : width === '1h' ? 3600 : 86_400;
		const start = Math.floor(Number(query.start_time) / step) * step;
		const end = query.end_time ? Number(query.end_time) : Math.floor(Date.now() / 1000);
		const limit = Math.min(Number(query.limit || defaultLimit), maxLimit);
		const offset = query.page ? Number(Buffer.from(String(query.page), 'base64url').toString('utf8').replace('page_', '')) : 0;
		const all = [];
		for (let t = start; t < end; t += step) all.push([t, t + step]);
		const slice = all.slice(offset, offset + limit);
		const hasMore = offset + limit < all.length;
		return {
			slice,
			hasMore,
			nextPage: hasMore ? Buffer.from(`page_${offset + limit}`).toString('base64url') : null,
		};
	}

	/**
	 * A report page as the organization APIs lay it out: per bucket, the rows summed per
	 * group_by combination, then turned into result objects.
	 */
	groupedPage({ slice, hasMore, nextPage }, rows, groupBy, { empty, add, result }) {
		return {
			object: 'page',
			data: slice.map(([s, e]) => {
				const groups = new Map();
				for (const row of rows) {
					const id = groupBy.map((g) => row[g]).join('|');
					const acc = groups.get(id) || { ...row, ...empty };
					add(acc, row);
					groups.set(id, acc);
				}
				return { object: 'bucket', start_time: s, end_time: e, results: [...groups.values()].map(result) };
			}),
			has_more: hasMore,
			next_page: nextPage,
		};
	}

	usagePage(query) {
		const width = query.bucket_width || '1d';
		const limits = { '1d': [7, 31], '1h': [24, 168], '1m': [60, 1440] }[width] || [7, 31];
		const groupBy = [].concat(query.group_by || []);
		const rows = [
			{ model: 'gpt-4o-mini-2024-07-18', project_id: 'proj_alpha', api_key_id: 'key_a' },
			{ model: 'gpt-4o-2024-08-06', project_id: 'proj_alpha', api_key_id: 'key_b' },
			{ model: 'gpt-4o-mini-2024-07-18', project_id: 'proj_beta', api_key_id: 'key_c' },
		];
		const grouped = (key, g) => (groupBy.includes(key) ? g[key] : null);
		return this.groupedPage(this.buckets(query, limits[0], limits[1]), rows, groupBy, {
			empty: { input_tokens: 0, output_tokens: 0, input_cached_tokens: 0, num_model_requests: 0 },
			add: (acc) => {
				acc.input_tokens += 1000;
				acc.output_tokens += 200;
				acc.input_cached_tokens += 100;
				acc.num_model_requests += 2;
			},
			result: (g) => ({
				object: 'organization.usage.completions.result',
				input_tokens: g.input_tokens,
				output_tokens: g.output_tokens,
				input_cached_tokens: g.input_cached_tokens,
				input_audio_tokens: 0,
				output_audio_tokens: 0,
				num_model_requests: g.num_model_requests,
				project_id: grouped('project_id', g),
				user_id: null,
				api_key_id: grouped('api_key_id', g),
				model: grouped('model', g),
				batch: null,
				service_tier: null,
			}),
		});
	}

	/**
	 * A built-in tool's usage page (OpenAI API reference, Usage: web search calls, file search
	 * calls, code interpreter sessions; the result objects are UsageWebSearchCallsResult,
	 * UsageFileSearchCallsResult and UsageCodeInterpreterSessionsResult of the spec).
	 * Per day and row: 3 web searches in 2 model requests, 4 file searches, 1 container.
	 */
	toolUsagePage(query, kind) {
		const width = query.bucket_width || '1d';
		const limits = { '1d': [7, 31], '1h': [24, 168], '1m': [60, 1440] }[width] || [7, 31];
		const groupBy = [].concat(query.group_by || []);
		const rows = [
			{ model: 'gpt-4.1-2025-04-14', project_id: 'proj_alpha', api_key_id: 'key_a', user_id: 'user_a', vector_store_id: 'vs_a', context_level: 'medium' },
			{ model: 'gpt-4o-mini-2024-07-18', project_id: 'proj_beta', api_key_id: 'key_c', user_id: 'user_b', vector_store_id: 'vs_b', context_level: 'low' },
		];
		const grouped = (key, g) => (groupBy.includes(key) ? g[key] : null);
		return this.groupedPage(this.buckets(query, limits[0], limits[1]), rows, groupBy, {
			empty: { num_requests: 0, num_model_requests: 0, num_sessions: 0 },
			add: (acc) => {
				acc.num_requests += kind === 'web_searches' ? 3 : 4;
				acc.num_model_requests += 2;
				acc.num_sessions += 1;
			},
			result: (g) => {
				const object = `organization.usage.${kind}.result`;
				if (kind === 'code_interpreter_sessions') return { object, num_sessions: g.num_sessions, project_id: grouped('project_id', g) };
				const common = {
					object,
					num_requests: g.num_requests,
					project_id: grouped('project_id', g),
					user_id: grouped('user_id', g),
					api_key_id: grouped('api_key_id', g),
				};
				if (kind === 'file_searches') return { ...common, vector_store_id: grouped('vector_store_id', g) };
				return { ...common, num_model_requests: g.num_model_requests, model: grouped('model', g), context_level: grouped('context_level', g) };
			},
		});
	}

	costsPage(query) {
		const groupBy = [].concat(query.group_by || []);
		const perProjectDay = this.options.dailyCostUsd ?? 1.25;
		const rows = [
			{ project_id: 'proj_alpha', line_item: 'gpt-4o-mini, input', share: 0.4 },
			{ project_id: 'proj_alpha', line_item: 'gpt-4o-mini, output', share: 0.6 },
			{ project_id: 'proj_beta', line_item: 'gpt-4o, input', share: 0.5 },
			{ project_id: 'proj_beta', line_item: 'gpt-4o, output', share: 0.5 },
		];
		return this.groupedPage(this.buckets({ ...query, bucket_width: '1d' }, 7, 180), rows, groupBy, {
			empty: { value: 0 },
			add: (acc, row) => {
				acc.value += perProjectDay * row.share;
			},
			result: (g) => ({
				object: 'organization.costs.result',
				amount: { value: Math.round(g.value * 1e6) / 1e6, currency: 'usd' },
				line_item: groupBy.includes('line_item') ? g.line_item : null,
				project_id: groupBy.includes('project_id') ? g.project_id : null,
			}),
		});
	}
}

function defaultLimitHeaders() {
	return {
		'x-ratelimit-limit-requests': '10000',
		'x-ratelimit-remaining-requests': '9999',
		'x-ratelimit-reset-requests': '6ms',
		'x-ratelimit-limit-tokens': '30000000',
		'x-ratelimit-remaining-tokens': '29999000',
		'x-ratelimit-reset-tokens': '2ms',
	};
}

/** Keys in the shape OpenAI issues, generated so no key-like literal sits in the source. */
function fakeKey(kind = 'proj', seed = 'test') {
	const body = crypto.createHash('sha256').update(`${kind}:${seed}`).digest('base64url');
	const filler = (n) => (body + body + body + body).slice(0, n);
	if (kind === 'admin') return `sk-admin-${filler(60)}T3BlbkFJ${filler(60)}`;
	if (kind === 'svcacct') return `sk-svcacct-${filler(74)}T3BlbkFJ${filler(74)}`;
	if (kind === 'legacy') return `sk-${filler(20)}T3BlbkFJ${filler(20)}`;
	return `sk-proj-${filler(74)}T3BlbkFJ${filler(74)}`;
}

/** @param {ConstructorParameters<typeof MockOpenAi>[0]} [options] */
async function startMockOpenAi(options) {
	return await new MockOpenAi(options).start();
}

module.exports = { MockOpenAi, startMockOpenAi, fakeKey, maskKey, mulberry32 };
