/** Tiny binary fixtures, made here rather than pasted: a 1×1 red PNG and a short silent WAV. */

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

function chunk(type: string, data: number[]): number[] {
  const body = [...new TextEncoder().encode(type), ...data];
  return [...u32(data.length), ...body, ...u32(crc32(Uint8Array.from(body)))];
}

function base64(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes));
}

/** PNG (RFC 2083): IHDR 1×1 RGB, one scanline (filter 0, red), stored zlib block, IEND. */
export function redPixelPngBase64(): string {
  const scanline = [0, 255, 0, 0];
  const zlib = [0x78, 0x01, 1, scanline.length, 0, ~scanline.length & 255, 0xff, ...scanline, ...u32(adler32(Uint8Array.from(scanline)))];
  const ihdr = [...u32(1), ...u32(1), 8, 2, 0, 0, 0];
  return base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...chunk("IHDR", ihdr), ...chunk("IDAT", zlib), ...chunk("IEND", [])]);
}

/** WAV: 8 kHz mono 8-bit PCM, 80 samples of silence (10 ms). */
export function silentWavBase64(): string {
  const samples = new Array<number>(80).fill(128);
  const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
  const ascii = (s: string) => [...new TextEncoder().encode(s)];
  const fmt = [...ascii("fmt "), ...le32(16), ...le16(1), ...le16(1), ...le32(8000), ...le32(8000), ...le16(1), ...le16(8)];
  const data = [...ascii("data"), ...le32(samples.length), ...samples];
  return base64([...ascii("RIFF"), ...le32(4 + fmt.length + data.length), ...ascii("WAVE"), ...fmt, ...data]);
}
