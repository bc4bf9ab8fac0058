/** Small files with real headers, for attachment tests: only their first bytes matter. */

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

export function png(width: number, height: number, padding = 0): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = 6;
	return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(padding)), chunk('IEND', Buffer.alloc(0))]);
}

export function jpeg(width: number, height: number): Buffer {
	const app0 = Buffer.from('ffe000104a46494600010100000100010000', 'hex');
	const sof = Buffer.alloc(19);
	sof.writeUInt16BE(0xffc0, 0);
	sof.writeUInt16BE(17, 2);
	sof[4] = 8;
	sof.writeUInt16BE(height, 5);
	sof.writeUInt16BE(width, 7);
	return Buffer.concat([Buffer.from('ffd8', 'hex'), app0, sof, Buffer.from('ffd9', 'hex')]);
}

export function gif(width: number, height: number, frames = 1): Buffer {
	const header = Buffer.alloc(13);
	header.write('GIF89a', 0, 'latin1');
	header.writeUInt16LE(width, 6);
	header.writeUInt16LE(height, 8);
	const frame = Buffer.concat([
		Buffer.from('21f904000a000000', 'hex'), // graphic control extension
		Buffer.from([0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0]),
		Buffer.from([2, 2, 0x4c, 0x01, 0]), // LZW code size, one sub-block, end
	]);
	return Buffer.concat([header, ...Array.from({ length: frames }, () => frame), Buffer.from([0x3b])]);
}

export function webp(width: number, height: number, animated = false): Buffer {
	const buf = Buffer.alloc(40);
	buf.write('RIFF', 0, 'latin1');
	buf.writeUInt32LE(32, 4);
	buf.write('WEBPVP8X', 8, 'latin1');
	buf.writeUInt32LE(10, 16);
	buf[20] = animated ? 0x02 : 0;
	buf.writeUIntLE(width - 1, 24, 3);
	buf.writeUIntLE(height - 1, 27, 3);
	return buf;
}

export function pdf(pages: number): Buffer {
	const kids = Array.from({ length: pages }, (_, i) => `${i + 3} 0 R`).join(' ');
	const objects = Array.from({ length: pages }, (_, i) => `${i + 3} 0 obj << /Type /Page /Parent 2 0 R >> endobj`).join('\n');
	return Buffer.from(
		`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [${kids}] /Count ${pages} >> endobj\n${objects}\n%%EOF\n`,
		'latin1',
	);
}

/** As n8n keeps binary data on an item. */
export function binaryOf(buffer: Buffer, mimeType: string, fileName: string) {
	return { data: buffer.toString('base64'), mimeType, fileName };
}
