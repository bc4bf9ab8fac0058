/** Submit: the items as one batch (or several, at OpenAI's limits); one output item per batch. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { errorFields } from '../../../shared/execution/output';
import { roundUsd } from '../../../shared/format';
import { batchClient } from '../../helpers/client';
import { submitItems } from '../../helpers/submit';
import { batchSummary } from '../../helpers/summary';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { client, settings } = await batchClient(this);
	const { submitted, refused, note } = await submitItems(this, client, settings);
	const out: INodeExecutionData[] = submitted.map(({ batch, lines, part, parts, worstCaseUsd }) => {
		const json: IDataObject = {
			...batchSummary(batch),
			part,
			parts,
			requests: lines.length,
			firstItem: lines[0].itemIndex,
			lastItem: lines[lines.length - 1].itemIndex,
			maxCostUsd: roundUsd(worstCaseUsd),
		};
		if (note) json.note = note;
		return { json, pairedItem: lines.map((line) => ({ item: line.itemIndex })) };
	});
	for (const [itemIndex, error] of refused) out.push({ json: errorFields(error, itemIndex), pairedItem: { item: itemIndex } });
	return [out];
}
