/**
 * A tool's input schema as the JSON Schema OpenAI's function tools take. n8n's tools come
 * with JSON Schema or with zod schemas, and the zod of a tool may be another copy than the
 * one n8n's SDK checks with `instanceof`; so zod schemas are read here by their shape
 * (zod 3's `_def.typeName`, zod 4's `_zod.def.type`), with no dependency.
 */

type JsonSchema = Record<string, unknown>;

interface ZodLike {
	_def?: Record<string, unknown>;
	_zod?: { def?: Record<string, unknown> };
	description?: string;
}

function isZod(value: unknown): value is ZodLike {
	return !!value && typeof value === 'object' && ('_def' in value || '_zod' in value);
}

function withDescription(schema: JsonSchema, source: ZodLike, def: Record<string, unknown>): JsonSchema {
	const description = (typeof def.description === 'string' ? def.description : undefined) ?? source.description;
	return description ? { ...schema, description } : schema;
}

/** Whether a field may be left out of an object (optional, with a default). */
function isOptional(schema: unknown): boolean {
	if (!isZod(schema)) return false;
	const v3 = schema._def?.typeName;
	const v4 = schema._zod?.def?.type;
	return v3 === 'ZodOptional' || v3 === 'ZodDefault' || v4 === 'optional' || v4 === 'default';
}

function objectSchema(shape: Record<string, unknown>, additional: JsonSchema | boolean | undefined): JsonSchema {
	const properties: JsonSchema = {};
	const required: string[] = [];
	for (const [key, value] of Object.entries(shape)) {
		properties[key] = convert(value);
		if (!isOptional(value)) required.push(key);
	}
	return {
		type: 'object',
		properties,
		...(required.length ? { required } : {}),
		...(additional !== undefined ? { additionalProperties: additional } : {}),
	};
}

/** zod 3. */
function fromV3(source: ZodLike, def: Record<string, unknown>): JsonSchema {
	switch (def.typeName) {
		case 'ZodObject': {
			const shape = typeof def.shape === 'function' ? (def.shape as () => Record<string, unknown>)() : ((def.shape as Record<string, unknown>) ?? {});
			const catchall = def.catchall as ZodLike | undefined;
			const additional = catchall && catchall._def?.typeName !== 'ZodNever' ? convert(catchall) : def.unknownKeys === 'strict' ? false : undefined;
			return objectSchema(shape, additional);
		}
		case 'ZodString':
			return { type: 'string' };
		case 'ZodNumber': {
			const checks = (def.checks as Array<{ kind?: string }> | undefined) ?? [];
			return { type: checks.some((check) => check.kind === 'int') ? 'integer' : 'number' };
		}
		case 'ZodBigInt':
			return { type: 'integer' };
		case 'ZodBoolean':
			return { type: 'boolean' };
		case 'ZodDate':
			return { type: 'string', format: 'date-time' };
		case 'ZodNull':
			return { type: 'null' };
		case 'ZodArray':
			return { type: 'array', items: convert(def.type) };
		case 'ZodTuple':
			return { type: 'array', items: ((def.items as unknown[]) ?? []).map(convert) };
		case 'ZodEnum':
			return { type: 'string', enum: def.values as unknown[] };
		case 'ZodNativeEnum': {
			// A numeric TypeScript enum maps both ways; its names are the keys that are not numbers.
			const values = (def.values as Record<string, unknown>) ?? {};
			return {
				enum: Object.keys(values)
					.filter((key) => Number.isNaN(Number(key)))
					.map((key) => values[key]),
			};
		}
		case 'ZodLiteral':
			return { const: def.value };
		case 'ZodUnion':
		case 'ZodDiscriminatedUnion': {
			const options = def.options instanceof Map ? [...(def.options as Map<unknown, unknown>).values()] : ((def.options as unknown[]) ?? []);
			return { anyOf: options.map(convert) };
		}
		case 'ZodRecord':
			return { type: 'object', additionalProperties: convert(def.valueType) };
		case 'ZodNullable':
			return { anyOf: [convert(def.innerType), { type: 'null' }] };
		case 'ZodDefault': {
			const inner = convert(def.innerType);
			const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
			return { ...inner, default: value };
		}
		case 'ZodOptional':
		case 'ZodCatch':
		case 'ZodReadonly':
			return convert(def.innerType);
		case 'ZodEffects':
			return convert(def.schema);
		case 'ZodBranded':
			return convert(def.type);
		case 'ZodPipeline':
			return convert(def.in);
		case 'ZodLazy':
			return convert(typeof def.getter === 'function' ? (def.getter as () => unknown)() : undefined);
		default:
			return {};
	}
}

/** zod 4. */
function fromV4(def: Record<string, unknown>): JsonSchema {
	switch (def.type) {
		case 'object':
			return objectSchema((def.shape as Record<string, unknown>) ?? {}, undefined);
		case 'string':
			return { type: 'string' };
		case 'number':
		case 'int':
			return { type: def.type === 'int' ? 'integer' : 'number' };
		case 'boolean':
			return { type: 'boolean' };
		case 'array':
			return { type: 'array', items: convert(def.element) };
		case 'enum':
			return { enum: Object.values((def.entries as Record<string, unknown>) ?? {}) };
		case 'literal':
			return { enum: (def.values as unknown[]) ?? [] };
		case 'union':
			return { anyOf: ((def.options as unknown[]) ?? []).map(convert) };
		case 'nullable':
			return { anyOf: [convert(def.innerType), { type: 'null' }] };
		case 'optional':
		case 'default':
		case 'readonly':
		case 'catch':
			return convert(def.innerType);
		case 'pipe':
			return convert(def.in);
		case 'record':
			return { type: 'object', additionalProperties: convert(def.valueType) };
		default:
			return {};
	}
}

function convert(schema: unknown): JsonSchema {
	if (!isZod(schema)) return schema && typeof schema === 'object' ? (schema as JsonSchema) : {};
	if (schema._def && typeof schema._def.typeName === 'string') return withDescription(fromV3(schema, schema._def), schema, schema._def);
	const def = schema._zod?.def ?? {};
	return withDescription(fromV4(def), schema, def);
}

/** A tool's input schema as JSON Schema: JSON Schema as given, zod converted. */
export function toolParameters(schema: unknown): JsonSchema {
	const converted = convert(schema);
	return converted.type === 'object' ? converted : { type: 'object', properties: {}, ...converted };
}
