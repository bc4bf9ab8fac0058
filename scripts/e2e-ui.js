#!/usr/bin/env node
/**
 * npm run e2e:ui: the n8n editor in headless Chromium (Debian's chromium, driven by
 * playwright-core; no browser download), as a newcomer uses it. Starts n8n with the built
 * package like `npm start` (fresh data folder, ports 5688/5689) and the mock OpenAI server,
 * completes the owner set-up, finds the nodes in the node panel (also by "tokens", "cost",
 * "budget"), adds the Chat node, checks the credential test's message for a bad key, then
 * builds Manual Trigger → Code (10 reviews) → Chat, runs it, and checks the output table
 * (each review next to its answer), the canvas subtitle, that no AI banner appears, and the
 * retry hint after a run with 429s. Screenshots go to test-results/ui/ (with --update-docs
 * also the README's pictures, docs/editor-*.png).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const { N8nInstance } = require('./lib/n8n');
const { ROOT, log } = require('./lib/toolchain');
const { startMockOpenAi, fakeKey } = require('../test/support/mock-openai');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-results', 'ui');
const README_SHOT = path.join(ROOT, 'docs', 'editor-chat-node.png');
const WEB_SEARCH_SHOT = path.join(ROOT, 'docs', 'editor-web-search.png');
const CREDENTIAL_SHOT = path.join(ROOT, 'docs', 'editor-credential.png');
const RETRY_SHOT = path.join(ROOT, 'docs', 'editor-retry-hint.png');
const PANEL_SHOT = path.join(ROOT, 'docs', 'editor-node-panel.png');
const AGENT_SHOT = path.join(ROOT, 'docs', 'editor-agent.png');
const BATCH_SHOT = path.join(ROOT, 'docs', 'editor-batch.png');
const CAP_SHOT = path.join(ROOT, 'docs', 'editor-spend-cap.png');
const KEY = fakeKey('proj', 'ui');
const STEPS = 18;

/** Manual Trigger → Code → AI Agent, with our Chat Model and n8n's Calculator attached. */
function agentWorkflow() {
	return {
		nodes: [
			{ parameters: {}, id: 'ui-agent-trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: { jsCode: "return [{ json: { question: 'calc 6*7' } }, { json: { question: 'calc 12*12' } }];" },
				id: 'ui-agent-items',
				name: 'Questions',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
			},
			{
				parameters: { promptType: 'define', text: '={{ $json.question }}', options: {} },
				id: 'ui-agent',
				name: 'AI Agent',
				type: '@n8n/n8n-nodes-langchain.agent',
				typeVersion: 3.1,
				position: [460, 0],
			},
			{
				parameters: {
					model: { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' },
					options: {},
					requestSettings: { maxSpendUsd: 1 },
				},
				id: 'ui-agent-model',
				name: 'OpenAI Reliable Chat Model',
				type: 'n8n-nodes-openai-reliable.openAiReliableChatModel',
				typeVersion: 1,
				position: [400, 220],
				credentials: { openAiReliableApi: { id: 'uiReliableCred01', name: 'OpenAI Reliable (mock)' } },
			},
			{ parameters: {}, id: 'ui-agent-calc', name: 'Calculator', type: '@n8n/n8n-nodes-langchain.toolCalculator', typeVersion: 1, position: [620, 220] },
		],
		connections: {
			Start: { main: [[{ node: 'Questions', type: 'main', index: 0 }]] },
			Questions: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Reliable Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			Calculator: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** The reviews workflow with the Batch node (Submit and Wait) in place of the Chat node. */
function batchWorkflow() {
	const workflow = reviewsWorkflow();
	const chat = workflow.nodes[2];
	workflow.nodes[2] = {
		...chat,
		id: 'ui-batch',
		name: 'OpenAI Reliable Batch',
		type: 'n8n-nodes-openai-reliable.openAiReliableBatch',
		parameters: {
			operation: 'submitAndWait',
			model: chat.parameters.model,
			systemMessage: chat.parameters.systemMessage,
			prompt: chat.parameters.prompt,
			waiting: { pollSeconds: 1 },
		},
	};
	workflow.connections = JSON.parse(JSON.stringify(workflow.connections).replaceAll('OpenAI Reliable Chat', 'OpenAI Reliable Batch'));
	return workflow;
}

/**
 * Manual Trigger → Code (10 reviews) → OpenAI Reliable Chat, as a user would paste it;
 * `chat` changes the Chat node (its version, its parameters).
 */
function reviewsWorkflow(chat = {}) {
	return {
		nodes: [
			{ parameters: {}, id: 'ui-trigger', name: 'When clicking ‘Execute workflow’', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
			{
				parameters: {
					jsCode:
						"const reviews = ['Great product, fast delivery.', 'Arrived broken.', 'Does what it says.', 'Support never answered.', 'Five stars!', 'Too expensive for what it is.', 'Would buy again.', 'The colour is off.', 'Perfect gift.', 'Stopped working after a week.'];\nreturn reviews.map((review, row) => ({ json: { row, review } }));",
				},
				id: 'ui-code',
				name: 'Reviews',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
			},
			{
				parameters: {
					model: { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' },
					systemMessage: 'Classify the sentiment of the review as positive, negative or neutral.',
					prompt: '={{ $json.review }}',
					requestSettings: { maxWaitSeconds: 2 },
				},
				id: 'ui-chat',
				name: 'OpenAI Reliable Chat',
				type: 'n8n-nodes-openai-reliable.openAiReliableChat',
				typeVersion: 1,
				position: [440, 0],
				credentials: { openAiReliableApi: { id: 'uiReliableCred01', name: 'OpenAI Reliable (mock)' } },
				...chat,
			},
		],
		connections: {
			'When clicking ‘Execute workflow’': { main: [[{ node: 'Reviews', type: 'main', index: 0 }]] },
			Reviews: { main: [[{ node: 'OpenAI Reliable Chat', type: 'main', index: 0 }]] },
		},
	};
}
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
	const mock = await startMockOpenAi({ apiKeys: [KEY], latencyMs: 150 });
	const n8n = N8nInstance.create('ui');
	await n8n.importCredentials([
		{
			id: 'uiReliableCred01',
			name: 'OpenAI Reliable (mock)',
			type: 'openAiReliableApi',
			data: { apiKey: KEY, baseUrl: mock.url, organizationId: '', projectId: '' },
		},
	]);
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
	/** A new workflow, pasted as a user pastes a shared workflow's JSON onto the canvas. */
	const pasteWorkflow = async (workflow, waitForNode) => {
		await page.goto(`${server.url}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await page.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-plus-button"]').first().waitFor({ timeout: 30_000 });
		await page.keyboard.press('Escape');
		await page.evaluate((text) => {
			const data = new DataTransfer();
			data.setData('text/plain', text);
			document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
		}, JSON.stringify(workflow));
		await page.locator(`[data-node-name="${waitForNode}"]`).first().waitFor({ timeout: 30_000 });
	};
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
			await page
				.getByRole('button', { name: /next|continue|set up|get started/i })
				.first()
				.click();
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
			await opener.waitFor({ timeout: 30_000 });
			await opener.click();
			const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
			await search.waitFor({ timeout: 30_000 });
			await search.fill('OpenAI Reliable');
			const chat = page.getByText('OpenAI Reliable Chat', { exact: true }).first();
			await chat.waitFor({ timeout: 30_000 });
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
				await page
					.getByText(/Create new credential|Create New Credential/)
					.first()
					.click();
			} else {
				await page
					.getByText(/Connect to OpenAI Reliable|Set up credential|Create new credential/i)
					.first()
					.click();
			}
			const modal = page.locator('[data-test-id="editCredential-modal"], .el-dialog').first();
			await modal.waitFor({ timeout: 30_000 });
			await page.getByText('OpenAI Reliable API', { exact: true }).first().waitFor({ timeout: 30_000 });
			await page.getByText('Organization ID (Optional)', { exact: true }).first().waitFor({ timeout: 10_000 });
			await page.getByText('Base URL', { exact: true }).first().waitFor({ timeout: 10_000 });
			await shot('05-credential-form');
		});

		await step('5. the credential test explains a bad key, without sending it', async () => {
			// Saving runs n8n's credential test, which is this package's testedBy function.
			const key = page.locator('[data-test-id="editCredential-modal"] input[type="password"], .el-dialog input[type="password"]').first();
			await key.fill('Bearer not-a-real-key');
			await page
				.getByRole('button', { name: /^Save$/ })
				.first()
				.click();
			const details = page.getByText('More details').first();
			await details.waitFor({ timeout: 30_000 });
			await details.click();
			const message = page.getByText(/starts with "Bearer "/).first();
			await message.waitFor({ timeout: 30_000 });
			await shot('06-credential-test-message');
			if (UPDATE_DOCS) await page.screenshot({ path: CREDENTIAL_SHOT });
		});

		await step('6. paste Manual Trigger → Code (10 reviews) → Chat into a new workflow', async () => {
			await pasteWorkflow(reviewsWorkflow(), 'OpenAI Reliable Chat');
			await shot('07-pasted-workflow');
		});

		await step('7. the canvas subtitle shows the model', async () => {
			const node = page.locator('[data-node-name="OpenAI Reliable Chat"]').first();
			await node.getByText('gpt-4o-mini').first().waitFor({ timeout: 15_000 });
		});

		const runAndOpen = async (nodeName) => {
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			await page.locator(`[data-node-name="${nodeName}"] [data-test-id="canvas-node-status-success"]`).first().waitFor({ timeout: 90_000 });
			await page.locator(`[data-node-name="${nodeName}"]`).first().dblclick();
			await page.locator('[data-test-id="output-panel"]').first().waitFor({ timeout: 30_000 });
		};
		const runAndOpenChat = async () => await runAndOpen('OpenAI Reliable Chat');

		await step('8. run it: each review sits next to its answer, and no AI banner', async () => {
			mock.reset();
			await runAndOpenChat();
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output.getByText('Echo: Great product, fast delivery.').first().waitFor({ timeout: 30_000 });
			await output.getByText('Great product, fast delivery.', { exact: true }).first().waitFor({ timeout: 10_000 });
			await output.getByText('review', { exact: true }).first().waitFor({ timeout: 10_000 });
			await output.getByText('content', { exact: true }).first().waitFor({ timeout: 10_000 });
			const banner = await page.getByText(/No parameters are set up to be filled by AI/).count();
			if (banner > 0) throw new Error('the AI banner is shown for a node that is not an AI tool');
			const hints = await page
				.locator('[data-test-id="output-panel"] [data-test-id="node-hint"], [data-test-id="output-panel"] [data-test-id="run-data-hints"]')
				.filter({ hasText: /retry|failed/ })
				.count();
			if (hints > 0) throw new Error('a hint is shown although every item was answered at the first try');
			// The run's total cost is on the output pane, in one line.
			const total = page
				.locator('[data-test-id="node-hint"]')
				.filter({ hasText: /items answered/ })
				.first();
			await total.waitFor({ timeout: 15_000 });
			const totalText = await total.innerText();
			if (!/10 items answered, \$0\.0000\d+ in all\./.test(totalText)) throw new Error(`unexpected total hint: ${totalText}`);
			// The Docs link leads to this node's section of the README, not to npm.
			const docs = await page.getByRole('link', { name: /Docs/ }).first().getAttribute('href');
			if (!docs || !docs.includes('#openai-reliable-chat')) throw new Error(`the Docs link goes to ${docs}`);
			await shot('08-chat-output');
			if (UPDATE_DOCS) await page.screenshot({ path: README_SHOT });
			await page.keyboard.press('Escape');
		});

		await step('9. a run with 429s: all answered, and the output pane says how many needed a retry', async () => {
			mock.reset();
			mock.script({
				match: (r) => r.path === '/chat/completions' && /broken|never|off|Stopped/.test(r.text ?? ''),
				times: 6,
				respond: {
					status: 429,
					headers: { 'retry-after-ms': '200', 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '400' },
					body: {
						error: { message: 'Rate limit reached for gpt-4o-mini. Please try again in 200ms.', type: 'requests', param: null, code: 'rate_limit_exceeded' },
					},
				},
			});
			await runAndOpenChat();
			const hint = page
				.locator('[data-test-id="node-hint"]')
				.filter({ hasText: /needed a retry/ })
				.first();
			await hint.waitFor({ timeout: 30_000 });
			const text = await hint.innerText();
			if (!/^10 items, \$0\.0000\d+ in all\. 4 of 10 items needed a retry \(6 retries, .* of waiting\); all answered/.test(text))
				throw new Error(`unexpected hint: ${text}`);
			await shot('09-retry-hint');
			if (UPDATE_DOCS) await page.screenshot({ path: RETRY_SHOT });
			await page.keyboard.press('Escape');
		});

		await step('10. the node panel finds the nodes by what a newcomer types: tokens, cost, budget, chatgpt, batch', async () => {
			await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
			const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder^="Search"]').first();
			await search.waitFor({ timeout: 30_000 });
			for (const [term, expected] of [
				['tokens', 'OpenAI Reliable Usage'],
				['cost', 'OpenAI Reliable Usage'],
				['budget', 'OpenAI Reliable Usage'],
				['chatgpt', 'OpenAI Reliable Chat'],
				['batch', 'OpenAI Reliable Batch'],
			]) {
				await search.fill(term);
				await page
					.locator('[data-test-id="node-creator-item-name"]')
					.filter({ hasText: new RegExp(`^${expected}$`) })
					.first()
					.waitFor({ timeout: 15_000 });
				if (term === 'tokens') {
					await shot('10-node-panel-tokens');
					if (UPDATE_DOCS) await page.screenshot({ path: PANEL_SHOT });
				}
			}
			await page.keyboard.press('Escape');
		});

		await step('11. an AI Agent with our Chat Model and a tool runs, and the model shows its calls', async () => {
			mock.reset();
			await pasteWorkflow(agentWorkflow(), 'OpenAI Reliable Chat Model');
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			await page.locator('[data-node-name="AI Agent"] [data-test-id="canvas-node-status-success"]').first().waitFor({ timeout: 90_000 });
			await page
				.locator('[data-test-id="zoom-to-fit"]')
				.first()
				.click()
				.catch(() => undefined);
			await page.waitForTimeout(1_000);
			await shot('11-agent');
			if (UPDATE_DOCS) await page.screenshot({ path: AGENT_SHOT });
			if (mock.requests.filter((r) => r.outcome === 'completion').length !== 4)
				throw new Error(`expected 4 model calls (a tool call and an answer per item), got ${mock.requests.length}`);
		});

		await step('12. the Batch node: Submit and Wait over the 10 reviews, each answer next to its review at half the price', async () => {
			mock.reset();
			mock.batchScript = { stepMs: 300 };
			await pasteWorkflow(batchWorkflow(), 'OpenAI Reliable Batch');
			await runAndOpen('OpenAI Reliable Batch');
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output.getByText('Echo: Great product, fast delivery.').first().waitFor({ timeout: 30_000 });
			await output.getByText('Great product, fast delivery.', { exact: true }).first().waitFor({ timeout: 10_000 });
			await output.getByText('customId', { exact: true }).first().waitFor({ timeout: 10_000 });
			await shot('12-batch-output');
			if (UPDATE_DOCS) await page.screenshot({ path: BATCH_SHOT });
			const uploads = mock.requests.filter((r) => r.path === '/files' && r.method === 'POST').length;
			if (uploads !== 1 || mock.requests.some((r) => r.path === '/chat/completions')) throw new Error('expected one upload and no live chat request');
			await page.keyboard.press('Escape');
		});
		await step('13. Max Spend per Execution keeps a typed 0.0001 after leaving the field, and the cap refuses all 10 items', async () => {
			mock.reset();
			await pasteWorkflow(reviewsWorkflow(), 'OpenAI Reliable Chat');
			await page.locator('[data-node-name="OpenAI Reliable Chat"]').first().dblclick();
			await page.getByText('User Message', { exact: true }).first().waitFor({ timeout: 30_000 });
			// Request Settings is the third collection on the form (after Attachments and Options).
			const add = page.locator('[data-test-id="collection-parameter-add"] input[placeholder="Add Setting"]').first();
			await add.scrollIntoViewIfNeeded();
			await add.click();
			await page
				.locator('[data-test-id="collection-parameter-option"]')
				.filter({ hasText: /^Max Spend per Execution \(USD\)$/ })
				.first()
				.click();
			const field = page.locator('[data-test-id="parameter-input-maxSpendUsd"] input').first();
			await field.waitFor({ timeout: 10_000 });
			await field.click();
			await field.fill('0.0001');
			// Leave the field, as a user does: the editor rounds it to the field's precision now.
			await page.keyboard.press('Tab');
			await page.waitForTimeout(300);
			const kept = await field.inputValue();
			if (Number(kept) !== 0.0001) throw new Error(`the field shows ${kept} after leaving it: the cap would be ${Number(kept) === 0 ? 'off' : kept}`);
			// Close the dropdown the Tab opened, then the node (Escape works once no field has focus).
			await page.keyboard.press('Escape');
			await page.getByText('Request Settings', { exact: true }).first().click();
			await page.keyboard.press('Escape');
			await page.locator('[data-test-id="output-panel"]').first().waitFor({ state: 'hidden', timeout: 10_000 });
			await runAndOpenChat();
			const hint = page
				.locator('[data-test-id="node-hint"]')
				.filter({ hasText: /Spend cap reached/ })
				.first();
			await hint.waitFor({ timeout: 30_000 });
			const text = await hint.innerText();
			if (!/Spend cap reached: 10 of 10 items were not sent/.test(text)) throw new Error(`unexpected hint: ${text}`);
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output
				.getByText(/is less than what one request could cost/)
				.first()
				.waitFor({ timeout: 10_000 });
			await shot('13-spend-cap');
			if (UPDATE_DOCS) await page.screenshot({ path: CAP_SHOT });
			if (mock.requests.some((r) => r.path === '/chat/completions')) throw new Error('a request was sent past the cap');
			await page.keyboard.press('Escape');
		});

		await step('14. the credential picker lists the project key first, then the admin key for usage and costs', async () => {
			await page.goto(`${server.url}/home/credentials`, { waitUntil: 'domcontentloaded' });
			await page.locator('[data-test-id="add-resource-credential"]').first().click();
			const search = page.locator('[data-test-id="new-credential-type-select"] input').first();
			await search.waitFor({ timeout: 30_000 });
			await search.fill('OpenAI Reliable');
			const options = page.locator('[data-test-id="new-credential-type-select-option"]');
			await options.first().waitFor({ timeout: 15_000 });
			const names = (await options.allInnerTexts()).map((t) => t.trim());
			await shot('14-credential-picker');
			const expected = ['OpenAI Reliable API', 'OpenAI Reliable Usage and Costs Admin API'];
			if (JSON.stringify(names) !== JSON.stringify(expected)) throw new Error(`the picker lists ${JSON.stringify(names)}`);
			await page.keyboard.press('Escape');
		});
		await step('15. a stop while the API is down ends the execution within a second (the outage pause waits for the execution too)', async () => {
			mock.reset();
			mock.outage({ mode: '503', ms: 120_000 });
			await pasteWorkflow(reviewsWorkflow(), 'OpenAI Reliable Chat');
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			// Three failures in a row put the key in its pause; then stop.
			const deadline = Date.now() + 30_000;
			while ((mock.downtime?.requests ?? 0) < 3 && Date.now() < deadline) await page.waitForTimeout(100);
			await page.waitForTimeout(1_500);
			const stop = page.locator('[data-test-id="stop-execution-button"]').first();
			await stop.waitFor({ timeout: 10_000 });
			const before = mock.downtime.requests;
			const stoppedAt = Date.now();
			await stop.click();
			await stop.waitFor({ state: 'hidden', timeout: 10_000 });
			const tookMs = Date.now() - stoppedAt;
			log(`   stopped ${tookMs} ms after the click; ${before} requests had reached the server while it was down`);
			await shot('15-stopped-during-outage');
			if (tookMs > 2_000) throw new Error(`the execution took ${tookMs} ms to stop`);
			await page.waitForTimeout(1_000);
			if (mock.downtime.requests > before + 1) throw new Error('requests went on after the stop');
			mock.reset();
		});

		const chatWith = (parameters) => ({
			typeVersion: 2,
			parameters: {
				model: { __rl: true, mode: 'list', value: 'gpt-4o-mini', cachedResultName: 'gpt-4o-mini' },
				prompt: '={{ $json.review }}',
				requestSettings: { maxWaitSeconds: 2 },
				...parameters,
			},
		});

		await step('16. web search on the Responses API: each answer with its sources and a cost that includes the search fee', async () => {
			mock.reset();
			await pasteWorkflow(
				reviewsWorkflow(
					chatWith({
						systemMessage: 'Find what other buyers say about this.',
						builtinTools: { webSearch: true, maxToolCalls: 1 },
						options: { maxTokens: 200 },
					}),
				),
				'OpenAI Reliable Chat',
			);
			await runAndOpenChat();
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output.getByText('sources', { exact: true }).first().waitFor({ timeout: 30_000 });
			await output.getByText('toolFeesUsd', { exact: true }).first().waitFor({ timeout: 10_000 });
			await output
				.getByText(/Community nodes \| n8n Docs/)
				.first()
				.waitFor({ timeout: 10_000 });
			if (mock.requests.filter((r) => r.path === '/responses').length !== 10) throw new Error('expected one POST /responses per review');
			// The JSON view shows an answer with its sources and fees in one picture.
			await output.getByText('JSON', { exact: true }).first().click();
			await output
				.getByText(/https:\/\/docs\.n8n\.io\/integrations\/community-nodes\//)
				.first()
				.waitFor({ timeout: 10_000 });
			await shot('16-web-search-sources');
			if (UPDATE_DOCS) await page.screenshot({ path: WEB_SEARCH_SHOT });
			await output.getByText('Table', { exact: true }).first().click();
			await page.keyboard.press('Escape');
		});

		await step('17. a stop during background mode cancels the answer at OpenAI', async () => {
			mock.reset();
			mock.backgroundMs = 120_000;
			await pasteWorkflow(
				reviewsWorkflow(chatWith({ model: { __rl: true, mode: 'list', value: 'gpt-5-pro', cachedResultName: 'gpt-5-pro' } })),
				'OpenAI Reliable Chat',
			);
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			const deadline = Date.now() + 30_000;
			while (mock.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/responses/')).length < 10 && Date.now() < deadline)
				await page.waitForTimeout(100);
			const stop = page.locator('[data-test-id="stop-execution-button"]').first();
			await stop.waitFor({ timeout: 10_000 });
			const stoppedAt = Date.now();
			await stop.click();
			await stop.waitFor({ state: 'hidden', timeout: 10_000 });
			const tookMs = Date.now() - stoppedAt;
			await page.waitForTimeout(1_000);
			const posts = mock.requests.filter((r) => r.method === 'POST' && r.path === '/responses').length;
			const cancelled = mock.requests.filter((r) => r.cancelled === true).length;
			log(`   stopped ${tookMs} ms after the click; ${posts} background requests, ${cancelled} cancelled at the server`);
			await shot('17-stopped-background');
			if (posts !== 10) throw new Error(`expected 10 POST /responses, saw ${posts}`);
			if (cancelled !== 10) throw new Error(`expected 10 cancelled responses, saw ${cancelled}`);
			if (tookMs > 3_000) throw new Error(`the execution took ${tookMs} ms to stop`);
			mock.reset();
		});

		await step(
			'18. a Responses run with failures (Continue On Fail): the canvas stays green, the hint counts them, each error sits next to its review with what it cost',
			async () => {
				mock.reset();
				await pasteWorkflow(
					reviewsWorkflow({
						...chatWith({
							api: 'responses',
							// Review 1 is stopped by the content filter, review 3 fails at OpenAI (the mock's markers).
							prompt: "={{ $json.row === 1 ? $json.review + ' [filtered]' : $json.row === 3 ? $json.review + ' [fails]' : $json.review }}",
						}),
						onError: 'continueRegularOutput',
					}),
					'OpenAI Reliable Chat',
				);
				await page.locator('[data-node-name="OpenAI Reliable Chat"]').first().getByText('gpt-4o-mini').first().waitFor({ timeout: 15_000 });
				await runAndOpenChat();
				const hint = page
					.locator('[data-test-id="node-hint"]')
					.filter({ hasText: /items failed/ })
					.first();
				await hint.waitFor({ timeout: 30_000 });
				const text = await hint.innerText();
				if (!/^10 items, \$0\.0000\d+ in all\. 2 items failed, the first with: The answer is incomplete: content_filter\./.test(text))
					throw new Error(`unexpected hint: ${text}`);
				const output = page.locator('[data-test-id="output-panel"]').first();
				await output.getByText('The answer is incomplete: content_filter').first().waitFor({ timeout: 10_000 });
				await output
					.getByText(/OpenAI could not finish the answer/)
					.first()
					.waitFor({ timeout: 10_000 });
				await output.getByText('Echo: Great product, fast delivery.').first().waitFor({ timeout: 10_000 });
				await shot('18-responses-failures');
				if (mock.requests.filter((r) => r.path === '/responses').length !== 10) throw new Error('expected one POST /responses per review, none sent twice');
				await page.keyboard.press('Escape');
			},
		);
	} catch (error) {
		await shot('failure').catch(() => undefined);
		const ids = await page
			.evaluate(() => [...new Set([...document.querySelectorAll('[data-test-id]')].map((e) => e.getAttribute('data-test-id')))])
			.catch(() => []);
		fs.writeFileSync(path.join(SHOTS, 'failure-test-ids.txt'), ids.join('\n'));
		process.stderr.write(`e2e:ui failed after: ${steps.join(' / ') || 'nothing'}\n${error.stack}\n`);
		process.stderr.write(`Screenshots in ${path.relative(ROOT, SHOTS)}/\n`);
		process.exitCode = 1;
	} finally {
		await browser.close();
		await server.stop();
		await mock.close();
	}
	const leaked = n8n.allLogs().includes(KEY.slice(-12));
	if (leaked) {
		process.stderr.write("e2e:ui: the API key appears in n8n's logs\n");
		process.exitCode = 1;
	}
	if (!process.exitCode) log(`e2e:ui: ${steps.length}/${STEPS} steps passed; screenshots in ${path.relative(ROOT, SHOTS)}/`);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
