/**
 * A multipart/form-data body built by hand: a file upload needs no form library, and the
 * bytes sent are exactly these on every retry.
 */
import { randomBytes } from 'crypto';

export interface MultipartBody {
	body: Buffer;
	contentType: string;
}

export function multipartBody(fields: Record<string, string>, file: { field: string; filename: string; contentType: string; content: Buffer }): MultipartBody {
	const boundary = `----n8nOpenAiReliable${randomBytes(12).toString('hex')}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
	}
	const safeName = file.filename.replace(/["\r\n]/g, '_');
	parts.push(
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`),
	);
	parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
