'use strict';
/**
 * Files and batches for the mock server, as OpenAI runs them: an upload (multipart, purpose
 * "batch") checked line by line, a batch that walks validating → in_progress → finalizing →
 * completed on a clock (or ends failed, expired or cancelled), an output file whose lines come
 * in a shuffled order, and an error file for lines that failed.
 *
 * The script (mock.batchScript, reset with the mock) decides the ending:
 *   stepMs       time per stage (default 100 ms)
 *   end          'completed' (default) | 'failed' | 'expired' | 'cancelled'
 *   failLines    custom_ids answered with a 400 in the error file
 *   malformed    custom_ids whose output line is not JSON
 *   incomplete   custom_ids of /v1/responses lines whose Response stops early: status
 *                "incomplete", incomplete_details.reason "content_filter" (the Response
 *                object of OpenAI's API reference), billed as answered
 *   finishShare  with expired/cancelled: the share of lines answered first (default 0.5)
 *   shuffle      output lines in a random order (default true)
 */
const crypto = require('node:crypto');

const STAGES = ['validating', 'in_progress', 'finalizing'];

/** The parts of a multipart/form-data body: { name: { filename?, content } }. */
function parseMultipart(raw, contentType) {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(String(contentType || ''));
	if (!boundary) return undefined;
	const marker = `--${boundary[1] || boundary[2]}`;
	const parts = {};
	for (const chunk of raw.split(marker).slice(1)) {
		if (chunk.startsWith('--')) break;
		const split = chunk.indexOf('\r\n\r\n');
		if (split < 0) continue;
		const head = chunk.slice(0, split);
		const name = /name="([^"]+)"/.exec(head)?.[1];
		if (!name) continue;
		parts[name] = { filename: /filename="([^"]*)"/.exec(head)?.[1], content: chunk.slice(split + 4).replace(/\r\n$/, '') };
	}
	return parts;
}

/** A batch as the spec describes it: fields not set yet are absent, not null. */
function present(batch) {
	return Object.fromEntries(Object.entries(batch).filter(([, value]) => value !== null && value !== undefined));
}

class BatchStore {
	/**
	 * @param {object} helpers  { answerFor(body) → { status, body } } — the mock's chat answer for one request body
	 */
	constructor(helpers) {
		this.helpers = helpers;
		this.reset();
	}

	reset() {
		this.files = new Map();
		this.batches = new Map();
		this.script = {};
	}

	handles(record) {
		return /^\/(files|batches)(\/|$)/.test(record.path);
	}

	newId(prefix) {
		return `${prefix}-${crypto.randomBytes(10).toString('hex')}`;
	}

	addFile(content, filename, purpose) {
		const file = {
			id: this.newId('file'),
			object: 'file',
			bytes: Buffer.byteLength(content),
			created_at: Math.floor(Date.now() / 1000),
			filename,
			purpose,
			status: 'processed',
			expires_at: Math.floor(Date.now() / 1000) + 30 * 86_400,
		};
		this.files.set(file.id, { file, content });
		return file;
	}

	/** Brings a batch up to date with the clock, making its output when it finishes. */
	advance(entry) {
		const batch = entry.batch;
		if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) return batch;
		const step = this.script.stepMs ?? 100;
		const elapsed = Date.now() - entry.startedAt;
		const now = Math.floor(Date.now() / 1000);
		if (batch.status === 'cancelling') {
			if (Date.now() - entry.cancelAt >= step) this.finish(entry, 'cancelled');
			return batch;
		}
		const stage = Math.floor(elapsed / step);
		if (entry.invalid) {
			if (stage >= 1) {
				batch.status = 'failed';
				batch.failed_at = now;
				batch.errors = { object: 'list', data: [entry.invalid] };
			}
			return batch;
		}
		const end = this.script.end ?? 'completed';
		if (end === 'failed' && stage >= 1) {
			batch.status = 'failed';
			batch.failed_at = now;
			batch.errors = {
				object: 'list',
				data: [{ code: 'token_limit_exceeded', message: 'Enqueued token limit reached for gpt-4o-mini in organization org-mock.', param: null, line: null }],
			};
			return batch;
		}
		if (stage >= 1 && !batch.in_progress_at) batch.in_progress_at = now;
		if (stage >= 2 && !batch.finalizing_at && end !== 'expired' && end !== 'cancelled') batch.finalizing_at = now;
		if (stage >= STAGES.length) this.finish(entry, end === 'cancelled' ? 'cancelled' : end === 'expired' ? 'expired' : 'completed');
		else batch.status = STAGES[stage];
		return batch;
	}

	finish(entry, status) {
		const batch = entry.batch;
		const now = Math.floor(Date.now() / 1000);
		const failLines = new Set(this.script.failLines || []);
		const malformed = new Set(this.script.malformed || []);
		const incomplete = new Set(this.script.incomplete || []);
		const cutoff = status === 'completed' ? entry.lines.length : Math.floor(entry.lines.length * (this.script.finishShare ?? 0.5));
		const output = [];
		const errors = [];
		entry.lines.forEach((line, i) => {
			const requestId = `req_${crypto.randomBytes(8).toString('hex')}`;
			if (i >= cutoff) {
				const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
				const message =
					status === 'expired'
						? 'This request could not be executed before the completion window expired.'
						: 'This request was not executed because the batch was cancelled.';
				errors.push(JSON.stringify({ id: this.newId('batch_req'), custom_id: line.custom_id, response: null, error: { code, message } }));
				return;
			}
			if (failLines.has(line.custom_id)) {
				errors.push(
					JSON.stringify({
						id: this.newId('batch_req'),
						custom_id: line.custom_id,
						response: {
							status_code: 400,
							request_id: requestId,
							body: {
								error: {
									message: "Invalid value for 'temperature': must be at most 2.",
									type: 'invalid_request_error',
									param: 'temperature',
									code: 'invalid_value',
								},
							},
						},
						error: null,
					}),
				);
				return;
			}
			const answer = this.helpers.answerFor(line.body, line.url);
			if (incomplete.has(line.custom_id) && answer.object === 'response') {
				answer.status = 'incomplete';
				answer.incomplete_details = { reason: 'content_filter' };
			}
			output.push(
				malformed.has(line.custom_id)
					? `{"id": "${this.newId('batch_req')}", "custom_id": "${line.custom_id}", "response": {"status_code": 200, "body": {"id": "chatcmpl-cut`
					: JSON.stringify({
							id: this.newId('batch_req'),
							custom_id: line.custom_id,
							response: { status_code: 200, request_id: requestId, body: answer },
							error: null,
						}),
			);
		});
		if (this.script.shuffle !== false) output.sort(() => Math.random() - 0.5);
		const failed = errors.length;
		batch.status = status;
		batch[`${status}_at`] = now;
		if (output.length) batch.output_file_id = this.addFile(`${output.join('\n')}\n`, `${batch.id}_output.jsonl`, 'batch_output').id;
		if (errors.length) batch.error_file_id = this.addFile(`${errors.join('\n')}\n`, `${batch.id}_error.jsonl`, 'batch_output').id;
		batch.request_counts = { total: entry.lines.length, completed: output.length, failed };
	}

	/** Checks an uploaded batch file as OpenAI does; returns the first problem or undefined. */
	checkLines(content, endpoint = '/v1/chat/completions') {
		const lines = [];
		const seen = new Set();
		const rows = content.split('\n').filter((line) => line.trim() !== '');
		for (let i = 0; i < rows.length; i++) {
			let line;
			try {
				line = JSON.parse(rows[i]);
			} catch {
				return { invalid: { code: 'invalid_json_line', message: `This line is not parseable as valid JSON.`, param: null, line: i + 1 } };
			}
			if (typeof line.custom_id !== 'string' || seen.has(line.custom_id)) {
				return {
					invalid: {
						code: 'duplicate_custom_id',
						message: 'The custom_id for this request is a duplicate of another request.',
						param: 'custom_id',
						line: i + 1,
					},
				};
			}
			seen.add(line.custom_id);
			// Every line calls the batch's endpoint (OpenAI's Batch guide: one endpoint per batch).
			const bodyOk = endpoint === '/v1/responses' ? line.body && line.body.input !== undefined : line.body && Array.isArray(line.body.messages);
			if (line.method !== 'POST' || line.url !== endpoint || !bodyOk) {
				return { invalid: { code: 'invalid_request', message: `The request is not a POST to ${endpoint} with a body.`, param: null, line: i + 1 } };
			}
			lines.push(line);
		}
		return { lines };
	}

	answer(record, send) {
		const { method, path } = record;
		if (method === 'POST' && path === '/files') {
			const parts = typeof record.body === 'string' ? parseMultipart(record.body, record.headers['content-type']) : undefined;
			if (!parts || !parts.file || !parts.purpose)
				return send(400, {
					error: { message: "Missing required parameter: 'file' and 'purpose' (multipart/form-data).", type: 'invalid_request_error', param: null, code: null },
				});
			record.upload = { purpose: parts.purpose.content, filename: parts.file.filename, lines: parts.file.content.split('\n').filter(Boolean).length };
			return send(200, this.addFile(parts.file.content, parts.file.filename || 'upload.jsonl', parts.purpose.content));
		}
		let match = /^\/files\/([^/]+)\/content$/.exec(path);
		if (method === 'GET' && match) {
			const entry = this.files.get(match[1]);
			if (!entry) return send(404, { error: { message: `No such File object: ${match[1]}`, type: 'invalid_request_error', param: 'id', code: null } });
			return send(200, entry.content, { 'content-type': 'application/octet-stream' });
		}
		if (method === 'POST' && path === '/batches') {
			const body = record.body || {};
			const file = this.files.get(body.input_file_id);
			if (!file)
				return send(400, {
					error: { message: `Invalid 'input_file_id': '${body.input_file_id}'.`, type: 'invalid_request_error', param: 'input_file_id', code: null },
				});
			if (!['/v1/chat/completions', '/v1/responses'].includes(body.endpoint) || body.completion_window !== '24h') {
				return send(400, { error: { message: 'Invalid endpoint or completion_window.', type: 'invalid_request_error', param: 'endpoint', code: null } });
			}
			const checked = this.checkLines(file.content, body.endpoint);
			const now = Math.floor(Date.now() / 1000);
			const batch = {
				id: this.newId('batch'),
				object: 'batch',
				endpoint: body.endpoint,
				errors: null,
				input_file_id: body.input_file_id,
				completion_window: '24h',
				status: 'validating',
				output_file_id: null,
				error_file_id: null,
				created_at: now,
				in_progress_at: null,
				expires_at: now + 86_400,
				finalizing_at: null,
				completed_at: null,
				failed_at: null,
				expired_at: null,
				cancelling_at: null,
				cancelled_at: null,
				request_counts: { total: checked.lines ? checked.lines.length : 0, completed: 0, failed: 0 },
				metadata: body.metadata ?? null,
			};
			this.batches.set(batch.id, { batch, lines: checked.lines || [], invalid: checked.invalid, startedAt: Date.now() });
			return send(200, present(batch));
		}
		match = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path);
		if (match) {
			const entry = this.batches.get(match[1]);
			if (!entry) return send(404, { error: { message: `No batch found with id '${match[1]}'.`, type: 'invalid_request_error', param: null, code: null } });
			if (method === 'POST' && match[2]) {
				const batch = this.advance(entry);
				if (['validating', 'in_progress', 'finalizing'].includes(batch.status)) {
					batch.status = 'cancelling';
					batch.cancelling_at = Math.floor(Date.now() / 1000);
					entry.cancelAt = Date.now();
				}
				return send(200, present(batch));
			}
			if (method === 'GET' && !match[2]) return send(200, present(this.advance(entry)));
		}
		if (method === 'GET' && path === '/batches') {
			const all = [...this.batches.values()].map((entry) => this.advance(entry)).reverse();
			const after = record.query.after;
			const start = after ? all.findIndex((b) => b.id === after) + 1 : 0;
			const limit = Number(record.query.limit || 20);
			const page = all.slice(start, start + limit).map(present);
			return send(200, {
				object: 'list',
				data: page,
				first_id: page[0]?.id ?? null,
				last_id: page[page.length - 1]?.id ?? null,
				has_more: start + limit < all.length,
			});
		}
		return send(404, { error: { message: `Invalid URL (${method} /v1${path})`, type: 'invalid_request_error', param: null, code: null } });
	}
}

module.exports = { BatchStore, parseMultipart };
