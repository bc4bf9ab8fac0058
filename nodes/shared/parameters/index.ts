/**
 * Reading a node's parameters, the one way: every value is checked before anything is
 * sent, and a bad one becomes an error whose message starts with the field's name as the
 * user sees it.
 */
import { NodeOperationError, type IExecuteFunctions, type INode } from 'n8n-workflow';

/** What reading parameters needs from n8n: plain nodes and the AI sub-node both have it. */
export interface ParameterContext {
	getNode(): INode;
	getNodeParameter: IExecuteFunctions['getNodeParameter'];
}

export interface FieldErrorOptions {
	/** What to do about it. */
	description?: string;
	/**
	 * The operation never calls the API (Estimate Cost, Count Tokens…), so "nothing was sent"
	 * would be noise.
	 */
	offline?: boolean;
}

/** An error about one parameter, raised before anything is sent. */
export function fieldError(ctx: ParameterContext, itemIndex: number, field: string, message: string, options: FieldErrorOptions = {}): NodeOperationError {
	const parts = [options.description, options.offline ? undefined : 'Nothing was sent to the API for this item.'].filter(Boolean);
	return new NodeOperationError(ctx.getNode(), `${field}: ${message}`, {
		itemIndex,
		...(parts.length ? { description: parts.join(' ') } : {}),
	});
}

/** A text parameter; numbers and booleans become text, objects and lists are refused. */
export function textParameter(ctx: ParameterContext, name: string, field: string, itemIndex: number, offline = false): string {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw fieldError(ctx, itemIndex, field, `the expression gave ${Array.isArray(value) ? 'a list' : 'an object'}, not text`, {
		description: 'Point the expression at a text field, e.g. {{ $json.text }}, or turn the value into text with {{ JSON.stringify($json.data) }}.',
		offline,
	});
}

/** A JSON parameter: parsed when it is text, as is when an expression already gave a value, undefined when empty. */
export function jsonParameter(ctx: ParameterContext, name: string, field: string, itemIndex: number, offline = false): unknown {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw fieldError(ctx, itemIndex, field, 'this is not valid JSON', { description: `The parser said: ${(error as Error).message}.`, offline });
	}
}

export interface NumberRule {
	/** The field's name as the user sees it. */
	field: string;
	min?: number;
	max?: number;
	/** The value must be more than min, not equal to it. */
	exclusiveMin?: boolean;
	/** Decimals are cut off. */
	integer?: boolean;
	/** Used when the value is empty; without it, empty gives undefined. */
	fallback?: number;
	offline?: boolean;
}

/**
 * Checks a number from a parameter or a collection option: empty gives the fallback
 * (or undefined), anything that is not a number in range is refused, never clamped.
 */
export function checkNumber(ctx: ParameterContext, itemIndex: number, raw: unknown, rule: NumberRule): number | undefined {
	if (raw === undefined || raw === null || raw === '') return rule.fallback;
	const value = Number(raw);
	const min = rule.min ?? Number.NEGATIVE_INFINITY;
	const max = rule.max ?? Number.POSITIVE_INFINITY;
	const tooLow = rule.exclusiveMin ? value <= min : value < min;
	if (!Number.isFinite(value) || tooLow || value > max) {
		const range =
			max === Number.POSITIVE_INFINITY
				? `${rule.exclusiveMin ? 'more than' : 'at least'} ${min}`
				: min === Number.NEGATIVE_INFINITY
					? `at most ${max}`
					: `between ${min} and ${max}`;
		throw fieldError(
			ctx,
			itemIndex,
			rule.field,
			Number.isFinite(value) ? `${String(raw)} is out of range: it must be ${range}` : `"${String(raw)}" is not a number`,
			{ offline: rule.offline },
		);
	}
	return rule.integer ? Math.trunc(value) : value;
}

/** A number parameter, checked like checkNumber. */
export function numberParameter(ctx: ParameterContext, name: string, itemIndex: number, rule: NumberRule): number | undefined {
	return checkNumber(ctx, itemIndex, ctx.getNodeParameter(name, itemIndex, rule.fallback ?? '') as unknown, rule);
}

/**
 * A model ID, from a model picker (resource locator) or a text field: trimmed, never
 * empty, never with spaces.
 */
export function modelParameter(ctx: ParameterContext, itemIndex: number, options: { name?: string; field?: string; offline?: boolean } = {}): string {
	const name = options.name ?? 'model';
	const field = options.field ?? 'Model';
	const raw = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	const model = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (model === '') {
		throw fieldError(ctx, itemIndex, field, 'no model is given', {
			description: 'Pick a model from the list, or give its ID (e.g. gpt-4o-mini); an expression must find a model name in this item.',
			offline: options.offline,
		});
	}
	if (/\s/.test(model)) {
		throw fieldError(ctx, itemIndex, field, `"${model}" contains spaces; model IDs never do`, {
			description: 'Pick the model from the list, or copy its exact ID (e.g. gpt-4o-mini).',
			offline: options.offline,
		});
	}
	return model;
}

/** A comma-separated list parameter ("gpt-4o, gpt-4o-mini"), empty entries dropped. */
export function listParameter(ctx: ParameterContext, name: string, itemIndex: number): string[] {
	return String(ctx.getNodeParameter(name, itemIndex, '') ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** A boolean parameter with a default. */
export function booleanParameter(ctx: ParameterContext, name: string, itemIndex: number, fallback: boolean): boolean {
	const value = ctx.getNodeParameter(name, itemIndex, fallback) as unknown;
	return typeof value === 'boolean' ? value : value === undefined || value === null || value === '' ? fallback : value === 'true';
}
