/**
 * Images and documents on the User Message: read from n8n binary data (with n8n's binary
 * helpers, so filesystem and S3 modes work) or from links, checked against OpenAI's limits
 * before anything is sent, and counted in tokens (exact for images, an estimate for PDFs).
 *
 * Only items in flight hold their files: each item reads its own when its turn comes.
 */
import type { IBinaryData, IDataObject, INodeProperties } from 'n8n-workflow';

import { fieldError, type ParameterContext } from '../parameters';
import { imageTokens, pdfPageTokens, type ImageDetail } from '../tokenizer/images';
import type { ContentPart } from '../content';
import { sniffFile, type FileInfo } from './imageSize';

export interface AttachmentSummary {
	source: string;
	type: string;
	bytes?: number;
	width?: number;
	height?: number;
	pages?: number;
	tokens: number;
	estimate?: boolean;
}

export interface ChatAttachments {
	parts: ContentPart[];
	/** Input tokens of all parts. */
	tokens: number;
	/** Set when some of the tokens are estimates. */
	note?: string;
	files: AttachmentSummary[];
}

/** OpenAI's documented limits for one chat completion request. */
export const ATTACHMENT_LIMITS = {
	imageBytes: 20 * 1024 * 1024,
	requestBytes: 50 * 1024 * 1024,
	images: 500,
	pdfBytes: 32 * 1024 * 1024,
	pdfPages: 100,
};
const ACCEPTED = 'PNG, JPEG, WEBP, non-animated GIF (images) and PDF';
const MB = 1024 * 1024;

export const attachmentsProperty: INodeProperties = {
	displayName: 'Attachments',
	name: 'attachments',
	type: 'collection',
	placeholder: 'Add Attachment',
	default: {},
	description: 'Images (PNG, JPEG, WEBP, GIF) and PDFs sent with the User Message, e.g. an invoice from an email',
	options: [
		{
			displayName: 'Binary Fields',
			name: 'binaryProperties',
			type: 'string',
			default: 'data',
			description: 'Names of the binary fields that hold the files, separated by commas (e.g. data, attachment_0). Shown at the top of the input as tabs.',
		},
		{
			displayName: 'Image Detail',
			name: 'detail',
			type: 'options',
			default: 'auto',
			options: [
				{ name: 'Auto', value: 'auto', description: 'OpenAI chooses; counted as High for the cost estimate and the spend cap' },
				{ name: 'High', value: 'high', description: 'Reads small text; costs more tokens for large images' },
				{ name: 'Low', value: 'low', description: 'A fixed, low token count; enough for what is in the picture' },
			],
		},
		{
			displayName: 'Image URLs',
			name: 'imageUrls',
			type: 'string',
			default: '',
			description:
				'Links to images, separated by commas or new lines, or an expression giving a list. OpenAI downloads them; their size is unknown here, so they count as the largest image.',
		},
	],
};

/** What reading attachments needs: the node's parameters, its input and n8n's binary helpers. */
export interface AttachmentContext extends ParameterContext {
	getInputData(): Array<{ binary?: Record<string, IBinaryData> }>;
	helpers: { getBinaryDataBuffer(itemIndex: number, propertyName: string): Promise<Buffer> };
}

function list(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
	if (typeof value !== 'string') return [];
	return value
		.split(/[\n,]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
}

function describe(info: FileInfo): string {
	if (info.format === 'pdf') return `PDF, ${info.pages} page${info.pages === 1 ? '' : 's'}`;
	return info.width ? `${info.format.toUpperCase()} ${info.width}×${info.height}` : info.format.toUpperCase();
}

class Budget {
	bytes = 0;
	images = 0;
	pdfBytes = 0;
	pdfPages = 0;
}

/**
 * The item's attachments, or undefined when the node has none set. Every file is checked
 * before anything is sent; a bad one fails the item with its binary field named.
 */
export async function readAttachments(
	ctx: AttachmentContext,
	itemIndex: number,
	model: string,
	options: { offline?: boolean } = {},
): Promise<ChatAttachments | undefined> {
	const settings = (ctx.getNodeParameter('attachments', itemIndex, {}) ?? {}) as IDataObject;
	const names = list(settings.binaryProperties);
	const urls = list(settings.imageUrls);
	if (names.length === 0 && urls.length === 0) return undefined;
	const detail = (['low', 'high'].includes(settings.detail as string) ? settings.detail : 'auto') as ImageDetail;
	const offline = options.offline ?? false;
	const fail = (field: string, message: string, description?: string) => fieldError(ctx, itemIndex, field, message, { description, offline });

	const result: ChatAttachments = { parts: [], tokens: 0, files: [] };
	const budget = new Budget();
	const notes: string[] = [];
	const binary = ctx.getInputData()[itemIndex]?.binary ?? {};

	for (const name of names) {
		const meta = binary[name];
		if (!meta) {
			const present = Object.keys(binary);
			throw fail(
				'Attachments › Binary Fields',
				`this item has no binary field "${name}"`,
				present.length
					? `It has: ${present.join(', ')}. Put one of these names in Binary Fields.`
					: 'This item carries no files. Add a node that reads them first (e.g. Read/Write Files from Disk, HTTP Request with File response, or an email trigger with attachments), or remove Binary Fields.',
			);
		}
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, name);
		const info = sniffFile(buffer);
		const field = `Attachments › Binary Fields ("${name}"${meta.fileName ? `, ${meta.fileName}` : ''})`;
		if (!info || (info.format === 'gif' && info.animated) || (info.format === 'webp' && info.animated)) {
			throw fail(
				field,
				`${info ? `an animated ${info.format.toUpperCase()}` : `a file of type ${meta.mimeType || 'unknown'}`} cannot be sent`,
				`Accepted: ${ACCEPTED}. Convert the file first, or leave it out of Binary Fields.`,
			);
		}
		budget.bytes += buffer.length;
		if (info.format === 'pdf') {
			budget.pdfBytes += buffer.length;
			budget.pdfPages += info.pages!;
			if (budget.pdfBytes > ATTACHMENT_LIMITS.pdfBytes) {
				throw fail(
					field,
					`PDFs of ${(budget.pdfBytes / MB).toFixed(1)} MB in one request; OpenAI accepts at most ${ATTACHMENT_LIMITS.pdfBytes / MB} MB`,
					'Split the document, or send the files in separate items.',
				);
			}
			if (budget.pdfPages > ATTACHMENT_LIMITS.pdfPages) {
				throw fail(
					field,
					`PDFs of ${budget.pdfPages} pages in one request; OpenAI accepts at most ${ATTACHMENT_LIMITS.pdfPages}`,
					'Split the document, or send the files in separate items.',
				);
			}
			const tokens = info.pages! * pdfPageTokens(model);
			result.parts.push({
				type: 'file',
				file: { filename: meta.fileName || `${name}.pdf`, file_data: `data:application/pdf;base64,${buffer.toString('base64')}` },
			});
			result.files.push({ source: name, type: describe(info), bytes: buffer.length, pages: info.pages, tokens, estimate: true });
			result.tokens += tokens;
			notes.push(`${meta.fileName || name}: ${info.pages} page(s) × about ${pdfPageTokens(model)} tokens`);
		} else {
			budget.images++;
			if (buffer.length > ATTACHMENT_LIMITS.imageBytes) {
				throw fail(
					field,
					`the image is ${(buffer.length / MB).toFixed(1)} MB; OpenAI accepts at most ${ATTACHMENT_LIMITS.imageBytes / MB} MB per image`,
					'Make it smaller first (e.g. the Edit Image node with Resize).',
				);
			}
			const tokens = imageTokens(model, detail, info.width ? { width: info.width, height: info.height! } : undefined);
			result.parts.push({
				type: 'image_url',
				image_url: { url: `data:${info.mimeType};base64,${buffer.toString('base64')}`, detail },
			});
			result.files.push({ source: name, type: describe(info), bytes: buffer.length, width: info.width, height: info.height, tokens });
			result.tokens += tokens;
		}
		if (budget.bytes > ATTACHMENT_LIMITS.requestBytes) {
			throw fail(
				field,
				`the files add up to ${(budget.bytes / MB).toFixed(1)} MB; OpenAI accepts at most ${ATTACHMENT_LIMITS.requestBytes / MB} MB per request`,
				'Send fewer or smaller files per item.',
			);
		}
	}

	for (const url of urls) {
		if (!/^(https?:\/\/|data:image\/(png|jpeg|webp|gif);base64,)/i.test(url)) {
			throw fail(
				'Attachments › Image URLs',
				`"${url.slice(0, 80)}" is not an http(s) link to an image`,
				`Use links that start with https://. For a PDF, download it first (HTTP Request with File response) and name its binary field in Binary Fields. Accepted: ${ACCEPTED}.`,
			);
		}
		budget.images++;
		const tokens = imageTokens(model, detail);
		result.parts.push({ type: 'image_url', image_url: { url, detail } });
		result.files.push({ source: url.startsWith('data:') ? 'data URL' : url, type: 'image link', tokens, estimate: true });
		result.tokens += tokens;
		notes.push('image links count as the largest image the model bills');
	}
	if (budget.images > ATTACHMENT_LIMITS.images) {
		throw fail('Attachments', `${budget.images} images in one request; OpenAI accepts at most ${ATTACHMENT_LIMITS.images}`);
	}
	if (notes.length) result.note = `Estimated: ${[...new Set(notes)].join('; ')}.`;
	return result;
}

/**
 * Input tokens of the image and file parts of messages built elsewhere (the Chat Model's
 * messages from the Agent): the same formulas as for attachments, read from the data URLs.
 */
export function contentPartTokens(model: string, messages: Array<{ content?: unknown }>): number {
	let tokens = 0;
	for (const message of messages) {
		if (!Array.isArray(message.content)) continue;
		for (const part of message.content as ContentPart[]) {
			if (part.type === 'image_url') {
				const detail = (part.image_url.detail ?? 'auto') as ImageDetail;
				const data = /^data:[^;]+;base64,(.*)$/s.exec(part.image_url.url)?.[1];
				const info = data ? sniffFile(Buffer.from(data, 'base64')) : undefined;
				tokens += imageTokens(model, detail, info?.width ? { width: info.width, height: info.height! } : undefined);
			} else if (part.type === 'file') {
				const data = /^data:[^;]+;base64,(.*)$/s.exec(part.file.file_data)?.[1] ?? '';
				const info = sniffFile(Buffer.from(data, 'base64'));
				tokens += (info?.pages ?? 1) * pdfPageTokens(model);
			}
		}
	}
	return tokens;
}
