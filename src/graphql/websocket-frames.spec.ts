import * as ws from 'ws';
import { textFrameHeaderLength, writeTextFrameHeader } from './websocket-frames';

/** `ws` exports its Sender (require('ws').Sender), but @types/ws does not declare it. */
type FrameOptions = { fin: boolean; mask: boolean; opcode: number; readOnly: boolean; rsv1: boolean };
const { Sender } = ws as unknown as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

/** What `ws` itself puts on the wire for a server's ws.send(text) without extensions: its public Sender.frame. */
function wsFrame(text: string): Buffer {
  const data = Buffer.from(text);
  return Buffer.concat(Sender.frame(data, { fin: true, mask: false, opcode: 0x01, readOnly: false, rsv1: false }));
}

function ourFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const frame = Buffer.alloc(textFrameHeaderLength(payload.length) + payload.length, 0xee);
  const at = writeTextFrameHeader(frame, 0, payload.length);
  payload.copy(frame, at);
  return frame;
}

describe('writeTextFrameHeader', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 70_000])('given a payload of %i bytes, then the frame is the one ws sends', (length) => {
    const text = 'x'.repeat(length);
    expect(ourFrame(text).equals(wsFrame(text))).toBe(true);
  });

  it.each([
    ['two-byte characters across the 7-bit limit', 'é'.repeat(63)], // 126 bytes from 63 characters
    ['three-byte characters across the 16-bit limit', '€'.repeat(21_846)], // 65,538 bytes
    ['four-byte characters (surrogate pairs)', '👟'.repeat(40)],
  ])('given %s, then the length counts bytes, not characters, as ws does', (_what, text) => {
    expect(ourFrame(text).equals(wsFrame(text))).toBe(true);
  });

  it('given an offset, then the header is written there and the bytes before it are untouched', () => {
    const target = Buffer.alloc(20, 0xaa);
    const end = writeTextFrameHeader(target, 3, 300);
    expect(end).toBe(7);
    expect([...target.subarray(0, 8)]).toEqual([0xaa, 0xaa, 0xaa, 0x81, 126, 0x01, 0x2c, 0xaa]);
  });
});
