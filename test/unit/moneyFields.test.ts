/**
 * No money field of any node rounds a typed value to 0. The editor rounds a number field
 * to its numberPrecision when it loses focus (element-plus's input number: Math.round of
 * value × 10^precision); for the spend cap, 0 means "no cap", so a typed 0.0001 that became
 * 0 silently turned the cap off.
 */
import type { INodeProperties, INodeType, IVersionedNodeType } from 'n8n-workflow';

import { OpenAiReliableBatch } from '../../nodes/OpenAiReliableBatch/OpenAiReliableBatch.node';
import { OpenAiReliableChat } from '../../nodes/OpenAiReliableChat/OpenAiReliableChat.node';
import { OpenAiReliableChatModel } from '../../nodes/OpenAiReliableChatModel/OpenAiReliableChatModel.node';
import { OpenAiReliableUsage } from '../../nodes/OpenAiReliableUsage/OpenAiReliableUsage.node';
import { MONEY_PRECISION } from '../../nodes/shared/descriptions/money';

const nodes: Array<[string, INodeType | IVersionedNodeType]> = [
	['Chat', new OpenAiReliableChat()],
	['Chat Model', new OpenAiReliableChatModel()],
	['Batch', new OpenAiReliableBatch()],
	['Usage', new OpenAiReliableUsage()],
];

/** Every version's description of a node. */
function descriptions(node: INodeType | IVersionedNodeType): INodeType[] {
	const versioned = node as IVersionedNodeType;
	return versioned.nodeVersions ? Object.values(versioned.nodeVersions) : [node as INodeType];
}

/** Every field, also inside collections and fixed collections. */
function allFields(properties: INodeProperties[], path = ''): Array<{ path: string; field: INodeProperties }> {
	const found: Array<{ path: string; field: INodeProperties }> = [];
	for (const field of properties) {
		const here = `${path}${field.displayName}`;
		found.push({ path: here, field });
		for (const option of (field.options ?? []) as unknown[]) {
			const o = option as { type?: string; values?: INodeProperties[]; displayName?: string };
			if (o.type) found.push(...allFields([o as INodeProperties], `${here} → `));
			else if (Array.isArray(o.values)) found.push(...allFields(o.values, `${here} → ${o.displayName} → `));
		}
	}
	return found;
}

/** A field that holds dollars, by what the user reads or what the code calls it. */
const MONEY = /\(USD\)|usd$|spend|budget|spent|price|^input$|^output$|^cachedInput$/i;

/** What the editor keeps of a typed value (element-plus InputNumber's toPrecision). */
function afterBlur(typed: number, precision: number | undefined): number {
	if (precision === undefined) return typed;
	const factor = 10 ** precision;
	return Math.round(typed * factor) / factor;
}

const moneyFields = nodes.flatMap(([node, type]) =>
	descriptions(type).flatMap((d) =>
		allFields(d.description.properties)
			.filter(({ field }) => field.type === 'number' && !field.displayName.includes('%') && (MONEY.test(field.displayName) || MONEY.test(field.name)))
			.map(({ path, field }) => [`${node}: ${path}`, field] as const),
	),
);

test('the money fields are found (the spend cap, Price Overrides, the budgets)', () => {
	const names = moneyFields.map(([name]) => name).join('\n');
	expect(names).toMatch(/Chat: Request Settings → Max Spend per Execution \(USD\)/);
	expect(names).toMatch(/Chat Model: Request Settings → Max Spend per Execution \(USD\)/);
	expect(names).toMatch(/Batch: Request Settings → Max Spend per Execution \(USD\)/);
	expect(names).toMatch(/Chat: Price Overrides → Price → Input per 1M Tokens \(USD\)/);
	expect(names).toMatch(/Usage: Monthly Budget \(USD\)/);
	expect(names).toMatch(/Usage: Already Spent \(USD\)/);
});

test.each(moneyFields.map(([name, field]) => [name, field]))('%s keeps a typed 0.0001 (and a millionth)', (_, field) => {
	const precision = field.typeOptions?.numberPrecision;
	expect(precision).toBeGreaterThanOrEqual(MONEY_PRECISION);
	for (const typed of [0.0001, 0.000001, 0.0098, 0.5, 12.345678]) {
		const kept = afterBlur(typed, precision);
		expect(kept).not.toBe(0);
		expect(Math.abs(kept - typed)).toBeLessThan(1e-9);
	}
});
