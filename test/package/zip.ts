import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * Just enough of a zip reader for a .vsix: the central directory's names and sizes, and one entry's bytes.
 * (No zip64: a vsix stays far below 4 GB and 65,535 entries.)
 */
export interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  localHeaderOffset: number;
}

export class Zip {
  private constructor(private readonly data: Buffer, readonly entries: ZipEntry[]) {}

  static open(file: string): Zip {
    const data = fs.readFileSync(file);
    // The end-of-central-directory record sits in the last 22 bytes plus a comment of up to 64 KiB.
    let eocd = -1;
    for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
      if (data.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${file} is not a zip file (no end of central directory)`);
    const count = data.readUInt16LE(eocd + 10);
    let p = data.readUInt32LE(eocd + 16);
    const entries: ZipEntry[] = [];
    for (let n = 0; n < count; n++) {
      if (data.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
      const nameLength = data.readUInt16LE(p + 28);
      entries.push({
        method: data.readUInt16LE(p + 10),
        compressedSize: data.readUInt32LE(p + 20),
        size: data.readUInt32LE(p + 24),
        localHeaderOffset: data.readUInt32LE(p + 42),
        name: data.toString('utf8', p + 46, p + 46 + nameLength),
      });
      p += 46 + nameLength + data.readUInt16LE(p + 30) + data.readUInt16LE(p + 32);
    }
    return new Zip(data, entries);
  }

  read(name: string): Buffer {
    const e = this.entries.find((x) => x.name === name);
    if (!e) throw new Error(`no entry ${name}`);
    const h = e.localHeaderOffset;
    const start = h + 30 + this.data.readUInt16LE(h + 26) + this.data.readUInt16LE(h + 28);
    const raw = this.data.subarray(start, start + e.compressedSize);
    if (e.method === 0) return Buffer.from(raw);
    if (e.method === 8) return zlib.inflateRawSync(raw);
    throw new Error(`${name}: compression method ${e.method} not supported`);
  }
}
