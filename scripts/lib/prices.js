/**
 * Prices for the e2e checks and the benchmark: what the mock server billed, priced from its
 * usage objects with the package's own built table (dist/), so the scripts and the nodes
 * agree on the numbers.
 */
'use strict';

const path = require('node:path');

function table() {
	return require(path.join(__dirname, '..', '..', 'dist', 'nodes', 'shared', 'pricing', 'prices.js'));
}

/** USD of one answer from its usage, at the standard (or given) tier; 0 when unknown. */
function priceOf(model, usage, tier = 'standard') {
	const cost = table().costOfUsage(String(model), usage, {}, tier);
	return cost ? cost.totalUsd : 0;
}

module.exports = { priceOf };
