/** Reads a .zip (a .vsix) without dependencies: its entry names and the bytes of one entry. */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

/** The entries of the central directory (no ZIP64, no comment beyond 64 KiB: what vsce writes). */
export function zipEntries(file: string): { buf: Buffer; entries: Map<string, ZipEntry> } {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, ZipEntry>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(at + 10);
    const compressedSize = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const localHeader = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    entries.set(name, { name, method, compressedSize, localHeader });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return { buf, entries };
}

/** The uncompressed bytes of an entry (stored or deflated). */
export function zipRead(zip: { buf: Buffer; entries: Map<string, ZipEntry> }, name: string): Buffer {
  const e = zip.entries.get(name);
  if (!e) throw new Error(`no entry ${name}`);
  const h = e.localHeader;
  const start = h + 30 + zip.buf.readUInt16LE(h + 26) + zip.buf.readUInt16LE(h + 28);
  const data = zip.buf.subarray(start, start + e.compressedSize);
  if (e.method === 0) return Buffer.from(data);
  if (e.method === 8) return zlib.inflateRawSync(data);
  throw new Error(`${name}: compression method ${e.method}`);
}
