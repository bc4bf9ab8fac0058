/**
 * Memory measurement for bench/memory.bench.ts (run by bench/run.js under node --expose-gc):
 * heap retained after a full garbage collection, and peak RSS sampled while the node runs.
 * Plain JavaScript because it needs globals the community-node lint bans in TypeScript.
 */
'use strict';

const fs = require('node:fs');

function collect() {
	if (typeof global.gc !== 'function') throw new Error('run under node --expose-gc');
	global.gc();
	return process.memoryUsage().heapUsed;
}

function startProbe() {
	const heapBefore = collect();
	let peakRss = process.memoryUsage().rss;
	const timer = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 20);
	return {
		stop() {
			clearInterval(timer);
			return { retainedHeapBytes: collect() - heapBefore, peakRssBytes: peakRss };
		},
	};
}

function writeResult(result) {
	const file = process.env.MEMORY_BENCH_RESULT;
	if (file) fs.appendFileSync(file, `${JSON.stringify(result)}\n`);
}

module.exports = { startProbe, writeResult };
