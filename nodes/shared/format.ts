/**
 * How numbers look to a user: durations, dollars and percentages. The one place where
 * values are rounded for display; arithmetic always keeps the full value.
 */

/** "850 ms", "1.5 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms)) return 'forever';
	if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
	if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
	const minutes = Math.floor(ms / 60_000);
	const seconds = Math.round((ms - minutes * 60_000) / 1000);
	return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/**
 * Dollars a person can read: "$1.25", "$0.0123", "$0.0000204" instead of 2.04e-5.
 * Small amounts keep three significant digits.
 */
export function formatUsd(value: number): string {
	if (!Number.isFinite(value)) return '$?';
	const sign = value < 0 ? '-' : '';
	const amount = Math.abs(value);
	if (amount === 0) return '$0.00';
	const decimals = amount >= 1 ? 2 : Math.min(10, Math.max(2, Math.ceil(-Math.log10(amount)) + 2));
	const text = amount.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1');
	return `${sign}$${text}`;
}

/** Dollar amounts in output fields: at most 10 decimals, so floating-point noise never shows. */
export function roundUsd(value: number): number {
	return Math.round(value * 1e10) / 1e10;
}

/** "42.5%". */
export function formatPercent(value: number): string {
	return `${Math.round(value * 10) / 10}%`;
}

/** "1 item", "3 items". */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
	return `${count} ${count === 1 ? noun : pluralNoun}`;
}
