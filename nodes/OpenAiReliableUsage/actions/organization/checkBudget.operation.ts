/** Check Budget (Month to Date): this month's spend from the Costs API against a budget. */
import { updateDisplayOptions, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { openClient, requestSettingsProperty } from '../../../shared/descriptions/requestSettings';
import { runItems } from '../../../shared/execution/runItems';
import { budgetProperties, isOver, judgeBudget, readBudgetLimits, routeByBudget, type BudgetLimits, type Judged } from '../../helpers/budget';
import { fetchCosts, sumAmounts } from '../../helpers/costsApi';
import { isoFromUnix } from '../../helpers/dates';

const properties: INodeProperties[] = [...budgetProperties, requestSettingsProperty()];

export const description = updateDisplayOptions({ show: { resource: ['organization'], operation: ['checkBudget'] } }, properties);

/** First moment of the current calendar month in UTC, as the Costs API buckets days in UTC. */
export function monthStartUtc(now: Date): number {
	return Math.floor(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000);
}

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// Every item's limits first: one report serves them all, and is fetched only if some item can use it.
	const limits = items.map((_, itemIndex): BudgetLimits | Error => {
		try {
			return readBudgetLimits(this, itemIndex, false);
		} catch (error) {
			return error as Error;
		}
	});
	const firstValid = limits.findIndex((limit) => !(limit instanceof Error));
	let spend: { total: number; currency: string; from: string; to: string } | undefined;
	let spendError: unknown;
	if (firstValid >= 0) {
		const { client } = await openClient(this, 'openAiReliableAdminApi');
		const now = new Date();
		const start = monthStartUtc(now);
		try {
			const rows = await fetchCosts(client, firstValid, start, undefined, []);
			spend = { ...sumAmounts(rows), from: isoFromUnix(start), to: now.toISOString() };
		} catch (error) {
			spendError = error;
		}
	}
	const outcomes = await runItems<Judged>(
		items.length,
		async (itemIndex) => {
			const limit = limits[itemIndex];
			if (limit instanceof Error) throw limit;
			if (!spend) throw spendError;
			const verdict = judgeBudget(spend.total, limit);
			return {
				fields: { ...verdict, currency: spend.currency, period: { from: spend.from, to: spend.to }, spendSource: 'OpenAI Costs API, month to date' },
				over: isOver(verdict, limit),
			};
		},
		{ concurrency: 1, continueOnFail: true },
	);
	return routeByBudget(this, outcomes);
}
