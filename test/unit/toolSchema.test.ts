/** Tool schemas as OpenAI function parameters, from zod 3, zod 4 and JSON Schema, whatever copy of zod made them. */
import { z } from 'zod';
import * as z4 from 'zod/v4';

import { toolParameters } from '../../nodes/OpenAiReliableChatModel/toolSchema';

describe('zod 3', () => {
	test("n8n's Calculator shape: an object behind a transform", () => {
		const schema = z.object({ input: z.string().optional() }).transform((o) => o.input);
		expect(toolParameters(schema)).toEqual({ type: 'object', properties: { input: { type: 'string' } } });
	});

	test('every kind of field, with descriptions, required and optional', () => {
		enum Colour {
			Red,
			Green,
		}
		const schema = z.object({
			city: z.string().describe('The city'),
			count: z.number().int(),
			ratio: z.number().nullable(),
			tags: z.array(z.string()),
			mode: z.enum(['fast', 'slow']).default('fast'),
			colour: z.nativeEnum(Colour),
			exact: z.literal('yes'),
			either: z.union([z.string(), z.boolean()]),
			extra: z.record(z.number()).optional(),
		});
		expect(toolParameters(schema)).toEqual({
			type: 'object',
			properties: {
				city: { type: 'string', description: 'The city' },
				count: { type: 'integer' },
				ratio: { anyOf: [{ type: 'number' }, { type: 'null' }] },
				tags: { type: 'array', items: { type: 'string' } },
				mode: { type: 'string', enum: ['fast', 'slow'], default: 'fast' },
				colour: { enum: [0, 1] },
				exact: { const: 'yes' },
				either: { anyOf: [{ type: 'string' }, { type: 'boolean' }] },
				extra: { type: 'object', additionalProperties: { type: 'number' } },
			},
			required: ['city', 'count', 'ratio', 'tags', 'colour', 'exact', 'either'],
		});
	});

	test('a copy of zod that fails instanceof is still read by its shape', () => {
		const schema = z.object({ query: z.string() });
		const foreign = JSON.parse(JSON.stringify({ _def: { typeName: 'ZodObject', shape: undefined } }));
		foreign._def.shape = () => ({ query: { _def: { typeName: 'ZodString' } } });
		expect(toolParameters(foreign)).toEqual(toolParameters(schema));
	});
});

test('zod 4', () => {
	const schema = z4.object({ q: z4.string(), n: z4.number().optional(), list: z4.array(z4.boolean()) });
	expect(toolParameters(schema)).toEqual({
		type: 'object',
		properties: { q: { type: 'string' }, n: { type: 'number' }, list: { type: 'array', items: { type: 'boolean' } } },
		required: ['q', 'list'],
	});
});

test('JSON Schema passes through', () => {
	const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
	expect(toolParameters(schema)).toBe(schema);
	expect(toolParameters(undefined)).toEqual({ type: 'object', properties: {} });
});
