/**
 * Each model call's own figures (cost, the execution's total, request id, retries) in the
 * sub-node's run data, where the Agent's log shows it. n8n's tracing writes one entry per
 * call after the call returns; this adds the figures of that call to it.
 */
import type { IDataObject, INodeExecutionData, ISupplyDataFunctions } from 'n8n-workflow';

export function withCallFigures(ctx: ISupplyDataFunctions): { ctx: ISupplyDataFunctions; report: (figures: IDataObject) => void } {
	const pending: IDataObject[] = [];
	const addOutputData: ISupplyDataFunctions['addOutputData'] = (connectionType, runIndex, data, ...rest) => {
		const figures = Array.isArray(data) ? pending.shift() : undefined;
		const enriched = figures ? (data as INodeExecutionData[][]).map((run) => run.map((item) => ({ ...item, json: { ...item.json, ...figures } }))) : data;
		return ctx.addOutputData(connectionType, runIndex, enriched, ...rest);
	};
	const proxy = new Proxy(ctx, {
		get(target, property) {
			if (property === 'addOutputData') return addOutputData;
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
	return { ctx: proxy, report: (figures) => pending.push(figures) };
}
