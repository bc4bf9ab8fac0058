import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/**
 * An error about one parameter, raised before anything is sent: the message starts with
 * the field's name as the user sees it.
 */
export function fieldError(
	ctx: IExecuteFunctions,
	itemIndex: number,
	field: string,
	message: string,
	description?: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `${field}: ${message}`, {
		itemIndex,
		description: `${description ? `${description} ` : ''}Nothing was sent to the API for this item.`,
	});
}

/** A text parameter; numbers and booleans become text, objects and lists are refused. */
export function textParameter(ctx: IExecuteFunctions, name: string, field: string, itemIndex: number): string {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	throw fieldError(
		ctx,
		itemIndex,
		field,
		`the expression gave ${Array.isArray(value) ? 'a list' : 'an object'}, not text`,
		'Point the expression at a text field, e.g. {{ $json.text }}, or turn the value into text with {{ JSON.stringify($json.data) }}.',
	);
}

/** A JSON parameter: parsed when it is text, as is when an expression already gave a value, undefined when empty. */
export function jsonParameter(ctx: IExecuteFunctions, name: string, field: string, itemIndex: number): unknown {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw fieldError(ctx, itemIndex, field, 'this is not valid JSON', `The parser said: ${(error as Error).message}.`);
	}
}
