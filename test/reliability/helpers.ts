/**
 * Checks shared by the reliability cases: every item ends with an answer or an error,
 * in input order, paired with its input; nothing is sent again after it succeeded;
 * and the API key appears nowhere a user or a log could see it.
 */
import type { IDataObject } from 'n8n-workflow';

import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { apiCredential, execute, items, PROJECT_KEY, type MockServer, type NodeRun } from '../support/setup';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ledger = require('./ledger') as { record: (entry: IDataObject) => void };

export const ITEMS = 50;

const chat = new OpenAiReliableChat();

/** ITEMS items ("item-0"…) through the Chat node with these Request Settings, against a server (or a bare Base URL). */
export function runChat(
	target: { url: string },
	{ continueOnFail, settings, signal }: { continueOnFail: boolean; settings: Record<string, unknown>; signal?: AbortSignal },
): Promise<NodeRun> {
	return execute(chat, {
		items: items(ITEMS),
		continueOnFail,
		signal,
		parameters: {
			model: { mode: 'list', value: 'gpt-4o-mini' },
			prompt: (_: number, item: { text?: unknown }) => item.text,
			requestSettings: settings,
		},
		credentials: { openAiReliableApi: apiCredential(target) },
	});
}

/** Every 8-character window of the key's secret part: finding any of them is a leak. */
function keyFragments(key: string): string[] {
	const secret = key.replace(/^sk-(proj-|svcacct-|admin-)?/, '');
	const fragments: string[] = [];
	for (let i = 0; i + 8 <= secret.length; i += 4) fragments.push(secret.slice(i, i + 8));
	return fragments;
}

/** Places where the key shows up: output items, error message, description, details, logs. */
export function leaks(run: NodeRun, keys: string[] = [PROJECT_KEY]): string[] {
	const places: Array<[string, string]> = [
		['output', JSON.stringify(run.output)],
		['error message', String(run.error?.message ?? '')],
		['error description', String(run.error?.description ?? '')],
		['error details', JSON.stringify((run.error as IDataObject | undefined)?.errorResponse ?? {})],
		['error messages', JSON.stringify((run.error as IDataObject | undefined)?.messages ?? [])],
		['logs', run.test.logs.join('\n')],
	];
	const found: string[] = [];
	for (const key of keys) {
		const fragments = keyFragments(key);
		for (const [place, text] of places) {
			if (fragments.some((fragment) => text.includes(fragment))) found.push(place);
		}
	}
	return found;
}

/** Requests sent for an item after the server had already answered it successfully. */
export function resentAfterSuccess(server: MockServer, text: string): number {
	const requests = server.requestsOf(text);
	const firstSuccess = requests.findIndex((r) => r.outcome === 'completion');
	return firstSuccess < 0 ? 0 : requests.length - firstSuccess - 1;
}

export interface Expectation {
	/** Items that cannot succeed within the retries. */
	failing: Set<number>;
	/** What their error says. */
	errorPattern: RegExp;
	/** Whether item texts reach the server (false when nothing is listening). */
	serverSees?: boolean;
}

/**
 * Asserts the invariants for one run and records the figures for the summary line.
 * With continue-on-fail: exactly ITEMS items, in order, answers or errors as expected.
 * Without: the error of the lowest failing item, or all ITEMS answers when none fails.
 */
export function checkRun(name: string, run: NodeRun, server: MockServer | undefined, continueOnFail: boolean, expected: Expectation) {
	let lost = 0;
	let duplicated = 0;
	if (continueOnFail || expected.failing.size === 0) {
		expect(run.error).toBeUndefined();
		const out = run.output[0] ?? [];
		expect(out).toHaveLength(ITEMS);
		lost += Math.max(0, ITEMS - out.length);
		out.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (expected.failing.has(i)) {
				expect(String(item.json.error)).toMatch(expected.errorPattern);
				expect(item.json.content).toBeUndefined();
			} else {
				expect(item.json.content).toBe(`Echo: item-${i}`);
			}
			if (item.json.content === undefined && item.json.error === undefined) lost++;
		});
		const seen = new Set(out.map((item) => JSON.stringify(item.pairedItem)));
		duplicated += out.length - seen.size;
	} else {
		const lowest = Math.min(...expected.failing);
		expect(run.error?.message).toMatch(expected.errorPattern);
		expect((run.error?.context as IDataObject | undefined)?.itemIndex).toBe(lowest);
	}
	if (server && expected.serverSees !== false) {
		for (let i = 0; i < ITEMS; i++) {
			const resent = resentAfterSuccess(server, `item-${i}`);
			expect(resent).toBe(0);
			duplicated += resent;
		}
	}
	const leaked = leaks(run);
	expect(leaked).toEqual([]);
	ledger.record({ name, kind: 'fault', items: ITEMS, lost, duplicated, leaked: leaked.length });
}

export function recordBadInput(name: string, items: number, leaked: number) {
	ledger.record({ name, kind: 'bad input', items, lost: 0, duplicated: 0, leaked });
}

export function recordNote(name: string, note: string) {
	ledger.record({ name, kind: 'note', items: 0, lost: 0, duplicated: 0, leaked: 0, note });
}
