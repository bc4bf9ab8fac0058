#!/usr/bin/env node
/**
 * npm run e2e:ui: the n8n editor in headless Chromium (Debian's chromium, driven by
 * playwright-core; no browser download). Starts n8n with the built package like
 * `npm start` (fresh data folder, ports 5688/5689), completes the owner set-up, finds
 * "OpenAI Reliable" in the node panel, adds the Chat node, opens the credential form, checks
 * that saving a bad key shows this package's credential-test message, and saves screenshots
 * to test-results/ui/ (with --update-docs also the README's pictures, docs/editor-*.png).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const { N8nInstance } = require('./lib/n8n');
const { ROOT, log } = require('./lib/toolchain');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-results', 'ui');
const README_SHOT = path.join(ROOT, 'docs', 'editor-chat-node.png');
const CREDENTIAL_SHOT = path.join(ROOT, 'docs', 'editor-credential.png');
/** The README's pictures are rewritten only on request: npm run e2e:ui -- --update-docs */
const UPDATE_DOCS = process.argv.includes('--update-docs');
const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Reliable-e2e-2026' };

async function main() {
	if (!fs.existsSync(CHROMIUM)) {
		process.stderr.write(`Chromium is not installed at ${CHROMIUM}. Install Debian's package: apt-get install chromium\n`);
		process.exit(2);
	}
	const { chromium } = require('playwright-core');
	execSync('npm run build --silent', { stdio: 'inherit', cwd: ROOT });
	fs.mkdirSync(SHOTS, { recursive: true });
	process.env.N8N_RUNNERS_BROKER_PORT = process.env.N8N_RUNNERS_BROKER_PORT || '5689';
	const n8n = N8nInstance.create('ui');
	const port = Number(process.env.E2E_UI_PORT || 5688);
	log(`starting n8n on port ${port}`);
	const server = await n8n.startServer({ port });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	const steps = [];
	const step = async (name, fn) => {
		log(name);
		await fn();
		steps.push(name);
	};
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	const shot = async (name) => await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
	try {
		await step('1. open the editor', async () => {
			await page.goto(server.url, { waitUntil: 'domcontentloaded' });
			await page.locator('input[name="email"]').first().waitFor({ timeout: 60_000 });
			await shot('01-owner-setup');
		});

		await step('2. complete the owner set-up', async () => {
			await page.locator('input[name="email"]').fill(OWNER.email);
			await page.locator('input[name="firstName"]').fill(OWNER.firstName);
			await page.locator('input[name="lastName"]').fill(OWNER.lastName);
			await page.locator('input[name="password"]').fill(OWNER.password);
			await page.getByRole('button', { name: /next|continue|set up|get started/i }).first().click();
			await page.waitForURL((url) => !url.pathname.startsWith('/setup'), { timeout: 60_000 });
			// A survey may follow the set-up; skip it.
			const skip = page.getByRole('button', { name: /get started|skip/i }).first();
			if (await skip.isVisible({ timeout: 5_000 }).catch(() => false)) await skip.click();
			await shot('02-after-setup');
		});

		await step('3. find "OpenAI Reliable" in the node panel and add the Chat node', async () => {
			await page.goto(`${server.url}/workflow/new`, { waitUntil: 'domcontentloaded' });
			await page.waitForTimeout(2_000);
			await page.keyboard.press('Escape');
			const opener = page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first();
			if (await opener.isVisible({ timeout: 10_000 }).catch(() => false)) await opener.click();
			else await page.keyboard.press('Tab');
			const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
			await search.waitFor({ timeout: 30_000 });
			await search.fill('OpenAI Reliable');
			const chat = page.getByText('OpenAI Reliable Chat', { exact: true }).first();
			await chat.waitFor({ timeout: 30_000 });
			await page.getByText('OpenAI Reliable Usage', { exact: true }).first().waitFor({ timeout: 10_000 });
			await shot('03-node-panel');
			await chat.click();
			// n8n shows a community node's details first, with an "Add to workflow" button.
			const add = page.getByRole('button', { name: /Add to workflow/i }).first();
			if (await add.isVisible({ timeout: 5_000 }).catch(() => false)) await add.click();
			await page.getByText('User Message', { exact: true }).first().waitFor({ timeout: 30_000 });
			await shot('04-chat-node');
			if (UPDATE_DOCS) await page.screenshot({ path: README_SHOT });
		});

		await step('4. open the credential form', async () => {
			const select = page.locator('[data-test-id="node-credentials-select"]').first();
			if (await select.isVisible({ timeout: 5_000 }).catch(() => false)) {
				await select.click();
				await page.getByText(/Create new credential|Create New Credential/).first().click();
			} else {
				await page.getByText(/Connect to OpenAI Reliable|Set up credential|Create new credential/i).first().click();
			}
			const modal = page.locator('[data-test-id="editCredential-modal"], .el-dialog').first();
			await modal.waitFor({ timeout: 30_000 });
			await page.getByText('OpenAI Reliable API', { exact: true }).first().waitFor({ timeout: 30_000 });
			await page.getByText('Organization ID', { exact: true }).first().waitFor({ timeout: 10_000 });
			await page.getByText('Base URL', { exact: true }).first().waitFor({ timeout: 10_000 });
			await shot('05-credential-form');
		});

		await step('5. the credential test explains a bad key, without sending it', async () => {
			// Saving runs n8n's credential test, which is this package's testedBy function.
			const key = page.locator('[data-test-id="editCredential-modal"] input[type="password"], .el-dialog input[type="password"]').first();
			await key.fill('Bearer not-a-real-key');
			await page.getByRole('button', { name: /^Save$/ }).first().click();
			const details = page.getByText('More details').first();
			await details.waitFor({ timeout: 30_000 });
			await details.click();
			const message = page.getByText(/starts with "Bearer "/).first();
			await message.waitFor({ timeout: 30_000 });
			await shot('06-credential-test-message');
			if (UPDATE_DOCS) await page.screenshot({ path: CREDENTIAL_SHOT });
		});
	} catch (error) {
		await shot('failure').catch(() => undefined);
		process.stderr.write(`e2e:ui failed after: ${steps.join(' / ') || 'nothing'}\n${error.stack}\n`);
		process.stderr.write(`Screenshots in ${path.relative(ROOT, SHOTS)}/\n`);
		process.exitCode = 1;
	} finally {
		await browser.close();
		await server.stop();
	}
	if (!process.exitCode) log(`e2e:ui: ${steps.length}/5 steps passed; screenshots in ${path.relative(ROOT, SHOTS)}/`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
