/**
 * A throwaway n8n (2.41.1 on Node 24, from scripts/lib/toolchain.js) with this package
 * installed the way n8n loads community packages: under <user folder>/.n8n/nodes/node_modules.
 * Drives it with n8n's own CLI: import:credentials, import:workflow, execute.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { ROOT, ensureN8n, node24Env, nodeBin, n8nBin } = require('./toolchain');

const PACKAGE_NAME = 'n8n-nodes-openai-reliable';
const WORK = path.join(ROOT, '.e2e-work');

/** Copies the built package (package.json and dist/) where n8n looks for community nodes; `root`: another build of it (the bench's previous commit). */
function installPackage(userFolder, root = ROOT) {
	if (!fs.existsSync(path.join(root, 'dist', 'nodes'))) throw new Error(`${path.relative(ROOT, root) || '.'}/dist/ is missing: run npm run build first`);
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	fs.copyFileSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
	fs.cpSync(path.join(root, 'dist'), path.join(target, 'dist'), { recursive: true });
}

class N8nInstance {
	/** @param {string} userFolder */
	constructor(userFolder) {
		this.userFolder = userFolder;
		/** Everything n8n printed, for the secret scan. */
		this.logText = '';
	}

	/** A fresh user folder with the package installed (from `packageRoot`, by default this checkout). */
	static create(name, packageRoot) {
		// Earlier runs' folders of the same kind are not needed again.
		if (fs.existsSync(WORK)) {
			for (const entry of fs.readdirSync(WORK)) {
				if (entry.startsWith(`${name}-`)) fs.rmSync(path.join(WORK, entry), { recursive: true, force: true });
			}
		}
		return N8nInstance.at(path.join(WORK, `${name}-${Date.now()}`), packageRoot);
	}

	/** A user folder that persists between runs (npm start), with the current build installed. */
	static at(userFolder, packageRoot) {
		ensureN8n();
		fs.mkdirSync(userFolder, { recursive: true });
		installPackage(userFolder, packageRoot);
		return new N8nInstance(userFolder);
	}

	/** Starts the editor and API (`n8n start`) in the background; resolves once it answers. */
	async startServer({ port = 5678, stdio = 'pipe', timeoutMs = 180_000, env = {} } = {}) {
		const child = spawn(nodeBin(), [n8nBin(), 'start'], {
			cwd: this.userFolder,
			env: this.env({ N8N_PORT: String(port), N8N_HOST: 'localhost', N8N_LISTEN_ADDRESS: '127.0.0.1', ...env }),
			stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
		});
		const output = { text: '' };
		if (stdio !== 'inherit') {
			child.stdout.on('data', (d) => ((this.logText += d), (output.text += d)));
			child.stderr.on('data', (d) => ((this.logText += d), (output.text += d)));
		}
		const url = `http://localhost:${port}`;
		const started = Date.now();
		for (;;) {
			if (child.exitCode !== null) throw new Error(`n8n exited with code ${child.exitCode}:\n${this.logText.slice(-3000)}`);
			try {
				const response = await fetch(`${url}/healthz/readiness`);
				if (response.ok) break;
			} catch {
				// not listening yet
			}
			if (Date.now() - started > timeoutMs) throw new Error(`n8n did not come up within ${timeoutMs / 1000} s`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		return { url, child, output, stop: () => stopChild(child) };
	}

	/** Starts `n8n worker` (queue mode) in the background; resolves once it says it is ready. */
	async startWorker({ env = {}, concurrency = 10, timeoutMs = 180_000 } = {}) {
		const child = spawn(nodeBin(), [n8nBin(), 'worker', `--concurrency=${concurrency}`], {
			cwd: this.userFolder,
			env: this.env(env),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const output = { text: '' };
		child.stdout.on('data', (d) => ((this.logText += d), (output.text += d)));
		child.stderr.on('data', (d) => ((this.logText += d), (output.text += d)));
		const started = Date.now();
		while (!/worker is now ready|Worker started|ready to process/i.test(output.text)) {
			if (child.exitCode !== null) throw new Error(`n8n worker exited with code ${child.exitCode}:\n${output.text.slice(-3000)}`);
			if (Date.now() - started > timeoutMs) throw new Error(`n8n worker not ready within ${timeoutMs / 1000} s:\n${output.text.slice(-3000)}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		return { child, output, stop: () => stopChild(child) };
	}

	/** Makes a workflow active before n8n starts (its production webhook then answers). */
	async publish(id) {
		const result = await this.cli(['publish:workflow', `--id=${id}`]);
		if (result.code !== 0) throw new Error(`publish:workflow ${id} failed:\n${result.stdout}\n${result.stderr}`);
	}

	env(extra = {}) {
		return node24Env({
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: 'openai-reliable-e2e-only',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_LOG_LEVEL: 'info',
			N8N_RUNNERS_BROKER_PORT: process.env.N8N_RUNNERS_BROKER_PORT || '5679',
			N8N_SECURE_COOKIE: 'false',
			DB_SQLITE_POOL_SIZE: '2',
			...extra,
		});
	}

	/** Runs `n8n <args>` and collects its output; `timedOut`: killed after `timeoutMs`. */
	cli(args, { timeoutMs = 180_000, env = {} } = {}) {
		return new Promise((resolve) => {
			const child = spawn(nodeBin(), [n8nBin(), ...args], { cwd: this.userFolder, env: this.env(env) });
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d) => (stdout += d));
			child.stderr.on('data', (d) => (stderr += d));
			let timedOut = false;
			const timer = setTimeout(() => {
				timedOut = true;
				child.kill('SIGKILL');
			}, timeoutMs);
			// Peak resident memory of the n8n process (VmHWM), sampled until it exits.
			let peakRssKb = 0;
			const sample = setInterval(() => {
				try {
					const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
					const match = /VmHWM:\s+(\d+) kB/.exec(status);
					if (match) peakRssKb = Math.max(peakRssKb, Number(match[1]));
				} catch {
					// the process has exited
				}
			}, 50);
			child.on('close', (code) => {
				clearTimeout(timer);
				clearInterval(sample);
				this.logText += `\n$ n8n ${args.join(' ')}\n${stdout}\n${stderr}`;
				resolve({ code, stdout, stderr, peakRssKb, timedOut });
			});
		});
	}

	write(name, data) {
		const file = path.join(this.userFolder, name);
		fs.writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	async importCredentials(credentials) {
		const result = await this.cli(['import:credentials', `--input=${this.write('credentials.json', credentials)}`]);
		if (result.code !== 0) throw new Error(`import:credentials failed:\n${result.stdout}\n${result.stderr}`);
	}

	async importWorkflows(workflows) {
		for (const workflow of workflows) {
			const result = await this.cli(['import:workflow', `--input=${this.write(`workflow-${workflow.id}.json`, workflow)}`]);
			if (result.code !== 0) throw new Error(`import:workflow ${workflow.id} failed:\n${result.stdout}\n${result.stderr}`);
		}
	}

	/** Executes a workflow; the result JSON shares stdout with log lines, so parse from the first "{" line. */
	async execute(id, { env = {}, timeoutMs } = {}) {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], { env, ...(timeoutMs ? { timeoutMs } : {}) });
		const lines = result.stdout.split('\n');
		const start = lines.findIndex((line) => line === '{');
		const end = lines.findIndex((line, i) => i > start && line === '}');
		let run = null;
		if (start >= 0 && end > start) {
			try {
				run = JSON.parse(lines.slice(start, end + 1).join('\n'));
			} catch {
				run = null;
			}
		}
		return { ...result, run };
	}

	/** Text of every log file n8n wrote into its folder, plus what its commands printed. */
	allLogs() {
		let text = this.logText;
		const walk = (dir) => {
			for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
				const full = path.join(dir, entry.name);
				if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
				else if (entry.isFile() && /\.log$/.test(entry.name)) text += `\n${fs.readFileSync(full, 'utf8')}`;
			}
		};
		walk(this.userFolder);
		return text;
	}
}

function stopChild(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null) return resolve();
		child.once('exit', resolve);
		child.kill('SIGTERM');
		setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 15_000).unref();
	});
}

/** Output items of a node in an execution result, per output index. */
function nodeOutput(run, nodeName) {
	const runs = run?.data?.resultData?.runData?.[nodeName];
	return runs?.[runs.length - 1]?.data?.main ?? [];
}

/** The workflow's error, if it stopped on one. */
function runError(run) {
	return run?.data?.resultData?.error ?? null;
}

/** A linear workflow: Manual Trigger, then each node in turn. */
function linearWorkflow(id, name, nodes) {
	const all = [
		{ parameters: {}, id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] },
		...nodes.map((node, i) => ({ id: `${id}-${i}`, position: [200 * (i + 1), 0], typeVersion: 1, ...node })),
	];
	const connections = {};
	for (let i = 0; i + 1 < all.length; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

/** A Code node that emits count items {text: "item-<i>"}. */
function itemsNode(count, prefix = 'item') {
	return {
		name: 'Items',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: `return Array.from({ length: ${count} }, (_, i) => ({ json: { text: '${prefix}-' + i } }));` },
	};
}

/**
 * A workflow started by a production webhook (POST /webhook/<path>, body { count, prefix }):
 * a Code node makes the items, then `nodes` run in turn, and the webhook answers with the
 * last node's items once the execution ends.
 */
function webhookWorkflow(id, name, path, nodes) {
	const webhook = {
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		id: `${id}-hook`,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: `${id}-webhook`,
	};
	const items = {
		name: 'Items',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: {
			jsCode: 'const { count, prefix } = $input.first().json.body; return Array.from({ length: count }, (_, i) => ({ json: { text: `${prefix}-${i}` } }));',
		},
	};
	const all = [webhook, ...[items, ...nodes].map((node, i) => ({ id: `${id}-${i}`, position: [200 * (i + 1), 0], typeVersion: 1, ...node }))];
	const connections = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id, name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

/** A Code node that shows, for each item, the text of the Items item its pairedItem leads back to. */
function pairingCheckNode() {
	return {
		name: 'Check Pairing',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: {
			jsCode:
				"return $input.all().map((item, i) => ({ json: { text: item.json.text, content: item.json.content, error: item.json.error, pairedText: $('Items').itemMatching(i).json.text } }));",
		},
	};
}

/** n8n's Calculator tool, as an AI Agent's tool node. */
function calculatorNode(id, position = [600, 220]) {
	return { id, name: 'Calculator', type: '@n8n/n8n-nodes-langchain.toolCalculator', typeVersion: 1, position, parameters: {} };
}

module.exports = {
	N8nInstance,
	calculatorNode,
	PACKAGE_NAME,
	WORK,
	nodeOutput,
	runError,
	linearWorkflow,
	itemsNode,
	installPackage,
	webhookWorkflow,
	pairingCheckNode,
};
