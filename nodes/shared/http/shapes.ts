/**
 * The shape each endpoint promises in a 2xx answer. The transport checks it once, for
 * every call: a 2xx whose body is an error object, or lacks what the endpoint promises,
 * is a failure, never an empty success.
 */
export type AnswerShape = (body: Record<string, unknown>) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);

export const SHAPES = {
	/** POST /chat/completions: at least one choice, each with a message object. */
	chatCompletion: ((body) =>
		Array.isArray(body.choices) && body.choices.length > 0 && body.choices.every((choice) => isObject(choice) && isObject(choice.message))) as AnswerShape,
	/** GET /models, GET /batches, organization report pages: a `data` list (possibly empty). */
	list: ((body) => Array.isArray(body.data)) as AnswerShape,
	/** An object with an id: a file, a batch, a project's rate limit. */
	withId: ((body) => typeof body.id === 'string' && body.id !== '') as AnswerShape,
	/** A batch: an id and a status. */
	batch: ((body) => typeof body.id === 'string' && typeof body.status === 'string') as AnswerShape,
	/** Any JSON object. */
	anyObject: (() => true) as AnswerShape,
};

/** Whether a parsed body is an answer of the given shape. */
export function hasShape(body: unknown, shape: AnswerShape): body is Record<string, unknown> {
	return isObject(body) && shape(body);
}
