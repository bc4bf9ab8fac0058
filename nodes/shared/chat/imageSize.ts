/**
 * What a file is, read from its first bytes: PNG, JPEG, WEBP and GIF with their pixel size
 * (and whether a GIF or WEBP is animated), or a PDF with its page count. No image library.
 */

export type FileFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'pdf';

export interface FileInfo {
	format: FileFormat;
	mimeType: string;
	width?: number;
	height?: number;
	animated?: boolean;
	/** PDFs: pages found in the file (an estimate for compressed page trees). */
	pages?: number;
}

const MIME: Record<FileFormat, string> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	pdf: 'application/pdf',
};

function ascii(buf: Buffer, start: number, length: number): string {
	return buf.toString('latin1', start, Math.min(buf.length, start + length));
}

function png(buf: Buffer): FileInfo | undefined {
	if (buf.length < 24 || buf.readUInt32BE(0) !== 0x89504e47 || ascii(buf, 12, 4) !== 'IHDR') return undefined;
	return { format: 'png', mimeType: MIME.png, width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function jpeg(buf: Buffer): FileInfo | undefined {
	if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
	let at = 2;
	while (at + 9 < buf.length) {
		if (buf[at] !== 0xff) return undefined;
		const marker = buf[at + 1];
		if (marker === 0xff) {
			at++;
			continue;
		}
		// Start of frame: every SOFn except DHT (C4), JPG (C8) and DAC (CC).
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return { format: 'jpeg', mimeType: MIME.jpeg, height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) };
		}
		at += 2 + buf.readUInt16BE(at + 2);
	}
	return { format: 'jpeg', mimeType: MIME.jpeg };
}

/** Skips GIF data sub-blocks (size byte, data…, 0). */
function skipSubBlocks(buf: Buffer, at: number): number {
	while (at < buf.length && buf[at] !== 0) at += buf[at] + 1;
	return at + 1;
}

function gif(buf: Buffer): FileInfo | undefined {
	const signature = ascii(buf, 0, 6);
	if ((signature !== 'GIF87a' && signature !== 'GIF89a') || buf.length < 13) return undefined;
	const info: FileInfo = { format: 'gif', mimeType: MIME.gif, width: buf.readUInt16LE(6), height: buf.readUInt16LE(8) };
	let at = 13;
	if (buf[10] & 0x80) at += 3 * 2 ** ((buf[10] & 7) + 1);
	let frames = 0;
	while (at < buf.length && frames < 2) {
		const block = buf[at];
		if (block === 0x21) at = skipSubBlocks(buf, at + 2);
		else if (block === 0x2c) {
			frames++;
			const flags = buf[at + 9];
			at += 10;
			if (flags & 0x80) at += 3 * 2 ** ((flags & 7) + 1);
			at = skipSubBlocks(buf, at + 1);
		} else break;
	}
	info.animated = frames > 1;
	return info;
}

function webp(buf: Buffer): FileInfo | undefined {
	if (buf.length < 30 || ascii(buf, 0, 4) !== 'RIFF' || ascii(buf, 8, 4) !== 'WEBP') return undefined;
	const chunk = ascii(buf, 12, 4);
	const info: FileInfo = { format: 'webp', mimeType: MIME.webp, animated: false };
	if (chunk === 'VP8 ') {
		info.width = buf.readUInt16LE(26) & 0x3fff;
		info.height = buf.readUInt16LE(28) & 0x3fff;
	} else if (chunk === 'VP8L') {
		const [b0, b1, b2, b3] = [buf[21], buf[22], buf[23], buf[24]];
		info.width = 1 + (((b1 & 0x3f) << 8) | b0);
		info.height = 1 + (((b3 & 0xf) << 10) | (b2 << 2) | ((b1 & 0xc0) >> 6));
	} else if (chunk === 'VP8X') {
		info.animated = (buf[20] & 0x02) !== 0;
		info.width = 1 + buf.readUIntLE(24, 3);
		info.height = 1 + buf.readUIntLE(27, 3);
	}
	return info;
}

/** Pages of a PDF: page objects counted, or the page tree's /Count, whichever is larger. */
export function pdfPages(buf: Buffer): number {
	const text = buf.toString('latin1');
	const objects = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
	let count = 0;
	for (const match of text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)) {
		count = Math.max(count, Number(match[1] ?? match[2]));
	}
	return Math.max(1, objects, count);
}

function pdf(buf: Buffer): FileInfo | undefined {
	if (ascii(buf, 0, 1024).indexOf('%PDF-') === -1) return undefined;
	return { format: 'pdf', mimeType: MIME.pdf, pages: pdfPages(buf) };
}

/** The file's format from its bytes (never from its name or stated MIME type), or undefined. */
export function sniffFile(buf: Buffer): FileInfo | undefined {
	return png(buf) ?? jpeg(buf) ?? gif(buf) ?? webp(buf) ?? pdf(buf);
}
