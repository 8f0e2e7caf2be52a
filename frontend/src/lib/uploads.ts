import { useMutation } from '@apollo/client';
import { useCallback } from 'react';
import { CREATE_UPLOAD } from '../graphql/operations';

/** What `createUpload` takes; the server checks the bytes again, these spare a round trip. */
export const UPLOAD_TYPES = ['image/png', 'image/jpeg', 'image/webp'];
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Why this file cannot be uploaded as a picture, or null when it can. */
export function fileProblem(file: File): string | null {
  if (!UPLOAD_TYPES.includes(file.type)) return `“${file.name}” is not a PNG, JPEG or WebP picture.`;
  if (file.size > MAX_UPLOAD_BYTES) {
    return `“${file.name}” is ${formatBytes(file.size)}; a picture can be at most ${formatBytes(MAX_UPLOAD_BYTES)}.`;
  }
  if (file.size === 0) return `“${file.name}” is empty.`;
  return null;
}

/** A picture chosen from the device, shown from memory until it is uploaded. */
export interface LocalPicture {
  file: File;
  url: string;
  width: number;
  height: number;
}

/** Decodes a file to learn its size; refuses what the browser cannot read as a picture. */
export function readPicture(file: File): Promise<LocalPicture> {
  const url = URL.createObjectURL(file);
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ file, url, width: img.naturalWidth, height: img.naturalHeight });
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error(`“${file.name}” could not be read as a picture.`));
    };
    img.src = url;
  });
}

/**
 * `createUpload`, then the bytes to where it says (the server itself, or S3 by presigned
 * PUT): resolves with the id to pass as `source: {uploadId}` or `mask: {uploadId}`.
 */
export function useUpload(): (body: Blob) => Promise<string> {
  const [createUpload] = useMutation(CREATE_UPLOAD);
  return useCallback(
    async (body: Blob) => {
      const res = await createUpload({ variables: { input: { contentType: body.type, byteSize: body.size } } });
      const target = res.data?.createUpload;
      if (!target) throw new Error('The server did not say where to send the picture.');
      const sent = await fetch(target.url, {
        method: target.method,
        headers: Object.fromEntries(target.headers.map((h) => [h.name, h.value])),
        body,
      }).catch(() => null);
      if (!sent?.ok) {
        throw new Error(`The picture could not be sent${sent ? ` (HTTP ${sent.status})` : ''}. Try again.`);
      }
      return target.id;
    },
    [createUpload],
  );
}
