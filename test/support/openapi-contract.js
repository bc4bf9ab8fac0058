/**
 * OpenAI's official OpenAPI spec as the contract for requests and mock responses.
 * Read from ../shared/openai-openapi/openapi.json (or OPENAI_OPENAPI_SPEC), never copied
 * into the repository. When it is absent, loadSpec() says so and the contract suite skips.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const SPEC_PATH = process.env.OPENAI_OPENAPI_SPEC || path.join(__dirname, '..', '..', '..', 'shared', 'openai-openapi', 'openapi.json');

let cached;

function loadSpec() {
	if (cached !== undefined) return cached;
	if (!fs.existsSync(SPEC_PATH)) {
		process.stderr.write(`[contract] OpenAI OpenAPI spec not found at ${SPEC_PATH}: contract tests are skipped.\n`);
		cached = null;
		return cached;
	}
	cached = JSON.parse(fs.readFileSync(SPEC_PATH, 'utf8'));
	return cached;
}

/** OpenAPI's `nullable: true` in JSON Schema terms (the 3.1 spec still uses it in places). */
function withoutNullable(node) {
	if (Array.isArray(node)) return node.map(withoutNullable);
	if (!node || typeof node !== 'object') return node;
	const out = {};
	for (const [key, value] of Object.entries(node)) if (key !== 'nullable') out[key] = withoutNullable(value);
	if (node.nullable !== true) return out;
	if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
	if (Array.isArray(out.type)) return { ...out, type: [...new Set([...out.type, 'null'])] };
	return { anyOf: [out, { type: 'null' }] };
}

/**
 * A `oneOf` with a `discriminator` is resolved by the server through that property (`type`),
 * and its branches may overlap (a user message is both an EasyInputMessage and an
 * InputMessage). Ajv does not read OpenAI's discriminators, so such a oneOf is checked as
 * anyOf: valid when at least one branch is.
 */
function discriminatedAsAnyOf(node) {
	if (Array.isArray(node)) return node.map(discriminatedAsAnyOf);
	if (!node || typeof node !== 'object') return node;
	const out = {};
	for (const [key, value] of Object.entries(node)) out[key] = discriminatedAsAnyOf(value);
	if (Array.isArray(out.oneOf) && out.discriminator) {
		out.anyOf = out.oneOf;
		delete out.oneOf;
	}
	return out;
}

function createValidator(rawSpec) {
	const spec = discriminatedAsAnyOf(withoutNullable(rawSpec));
	const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, discriminator: false });
	addFormats(ajv);
	ajv.addFormat('unixtime', { type: 'number', validate: (n) => Number.isInteger(n) && n >= 0 });
	ajv.addSchema({ ...spec, $id: 'openai' }, 'openai');
	const compiled = new Map();

	function schema(name) {
		if (!compiled.has(name)) compiled.set(name, ajv.getSchema(`openai#/components/schemas/${name}`));
		const validate = compiled.get(name);
		if (!validate) throw new Error(`no schema ${name} in the spec`);
		return validate;
	}

	/** Returns a list of readable errors (empty when valid). */
	function validate(name, data) {
		const fn = schema(name);
		return fn(data) ? [] : fn.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
	}

	/** Checks a query against the operation's declared parameters. */
	function validateQuery(apiPath, method, query) {
		const operation = spec.paths[apiPath]?.[method.toLowerCase()];
		if (!operation) return [`no operation ${method} ${apiPath} in the spec`];
		const errors = [];
		const params = Object.fromEntries((operation.parameters || []).filter((p) => p.in === 'query').map((p) => [p.name, p]));
		for (const [name, raw] of Object.entries(query)) {
			const param = params[name];
			if (!param) {
				errors.push(`unknown query parameter ${name}`);
				continue;
			}
			const values = Array.isArray(raw) ? raw : [raw];
			let value;
			if (param.schema.type === 'array') value = values;
			else if (values.length > 1) {
				errors.push(`${name} sent ${values.length} times`);
				continue;
			} else value = values[0];
			const coerce = (schema, v) => (schema.type === 'integer' || schema.type === 'number' ? Number(v) : schema.type === 'boolean' ? v === 'true' : v);
			value = param.schema.type === 'array' ? value.map((v) => coerce(param.schema.items, v)) : coerce(param.schema, value);
			const fn = ajv.compile({ ...param.schema, $id: undefined });
			if (!fn(value)) errors.push(`${name}=${JSON.stringify(value)}: ${ajv.errorsText(fn.errors)}`);
		}
		for (const param of Object.values(params)) {
			if (param.required && !(param.name in query)) errors.push(`missing required ${param.name}`);
		}
		return errors;
	}

	return { validate, validateQuery };
}

module.exports = { SPEC_PATH, loadSpec, createValidator };
