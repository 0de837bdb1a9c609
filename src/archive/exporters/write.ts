/**
 * Writing to a stream the way a million rows need: wait for 'drain' whenever
 * write() says the buffer is full, so memory stays flat however big the export.
 */
import type { Writable } from 'node:stream';

export async function writeText(out: Writable, text: string): Promise<void> {
  if (text.length === 0 || out.write(text)) return;
  await drained(out);
}

/** Resolves on 'drain'; rejects when the stream fails or closes first (else the export would hang). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (error: Error): void => done(error);
    const onClose = (): void => done(new Error('the output closed before the export was written'));
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}
