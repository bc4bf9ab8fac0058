import type { IDataObject } from 'n8n-workflow';

/** Reads a dot path such as "usage" or "data.usage" from an item; an empty path is the item itself. */
export function getPath(source: IDataObject, path: string): unknown {
	let current: unknown = source;
	for (const part of path.split('.').filter((p) => p !== '')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as IDataObject)[part];
	}
	return current;
}
