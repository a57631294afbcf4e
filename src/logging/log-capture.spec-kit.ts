import { Writable } from 'node:stream';

/** A stream that keeps what a winston logger writes, one entry per line; for specs. */
export function captureStream(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((line) => line !== '') };
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are exactly what this removes
const ANSI = /\u001b\[[0-9;]*m/g;

export function withoutColours(text: string): string {
  return text.replace(ANSI, '');
}
