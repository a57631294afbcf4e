/**
 * The header of a WebSocket text frame as a server sends it (RFC 6455 §5.2): FIN + opcode 1 (0x81), no mask, then
 * the payload length in 7 bits, or 126 + 16 bits, or 127 + 64 bits (network order). What `ws`'s Sender.frame
 * produces for `send(string)` on a socket without extensions (websocket-frames.spec.ts compares them byte for byte).
 */
export function textFrameHeaderLength(payloadLength: number): number {
  if (payloadLength < 126) return 2;
  return payloadLength < 65536 ? 4 : 10;
}

/** Writes the header of a text frame of `payloadLength` bytes at `offset`; returns the offset after it. */
export function writeTextFrameHeader(target: Buffer, offset: number, payloadLength: number): number {
  target[offset] = 0x81;
  if (payloadLength < 126) {
    target[offset + 1] = payloadLength;
    return offset + 2;
  }
  if (payloadLength < 65536) {
    target[offset + 1] = 126;
    target.writeUInt16BE(payloadLength, offset + 2);
    return offset + 4;
  }
  // 64 bits; a JavaScript length fits in the lower 48 (writeUIntBE's limit), so the top two bytes are 0.
  target[offset + 1] = 127;
  target[offset + 2] = 0;
  target[offset + 3] = 0;
  target.writeUIntBE(payloadLength, offset + 4, 6);
  return offset + 10;
}
