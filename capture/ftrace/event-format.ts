import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// tracefs event formats (events/<group>/<event>/format): the id that tags each raw event and the
// offset, size and kind of every field, so raw ring-buffer payloads can be decoded without a
// library. Handles scalars, fixed arrays (`__u8 saddr[4]`, `char comm[16]`) and `__data_loc`
// strings.

export interface FieldSpec {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** Element count of a fixed array, else 0. */
  arrayLength: number;
  dataLoc: boolean;
  isChar: boolean;
}

export interface EventFormat {
  id: number;
  /** `group:event` */
  name: string;
  fields: Map<string, FieldSpec>;
}

const FIELD = /^\s*field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

export function parseEventFormat(text: string, name: string): EventFormat {
  const id = /^ID:\s*(\d+)/m.exec(text);
  if (!id) throw new Error(`format of ${name} has no ID`);
  const fields = new Map<string, FieldSpec>();
  for (const line of text.split('\n')) {
    const m = FIELD.exec(line);
    if (!m) continue;
    const decl = m[1]!.trim();
    const arr = /^(.*?)\s*([A-Za-z_]\w*)\s*\[(\d*)\]$/.exec(decl);
    const plain = /^(.*?)\s*\**\s*([A-Za-z_]\w*)$/.exec(decl);
    const dataLoc = decl.startsWith('__data_loc');
    let type: string;
    let fname: string;
    let arrayLength = 0;
    if (arr) {
      type = arr[1]!.replace(/^__data_loc\s+/, '');
      fname = arr[2]!;
      arrayLength = arr[3] === '' ? 0 : Number(arr[3]);
    } else if (plain) {
      type = plain[1]!;
      fname = plain[2]!;
    } else continue;
    fields.set(fname, {
      name: fname,
      type,
      offset: Number(m[2]),
      size: Number(m[3]),
      signed: m[4] === '1',
      arrayLength,
      dataLoc,
      isChar: /\bchar\b/.test(type),
    });
  }
  return { id: Number(id[1]), name, fields };
}

export async function readEventFormat(tracefs: string, name: string): Promise<EventFormat> {
  const [group, event] = name.split(':') as [string, string];
  const text = await readFile(join(tracefs, 'events', group, event, 'format'), 'utf8');
  return parseEventFormat(text, name);
}

export type FieldValue = number | bigint | string | Uint8Array;

/** Decodes one field of an event payload that starts at `base` in `data` (common fields first). */
export function readField(data: Buffer, f: FieldSpec, base = 0): FieldValue {
  const at = base + f.offset;
  if (f.dataLoc) {
    const loc = data.readUInt32LE(at);
    const off = base + (loc & 0xffff);
    const len = loc >>> 16;
    const s = data.subarray(off, off + len);
    const nul = s.indexOf(0);
    return s.toString('utf8', 0, nul < 0 ? s.length : nul);
  }
  if (f.arrayLength > 0 || f.size > 8) {
    const s = data.subarray(at, at + f.size);
    if (f.isChar) {
      const nul = s.indexOf(0);
      return s.toString('utf8', 0, nul < 0 ? s.length : nul);
    }
    return s;
  }
  switch (f.size) {
    case 1:
      return f.signed ? data.readInt8(at) : data.readUInt8(at);
    case 2:
      return f.signed ? data.readInt16LE(at) : data.readUInt16LE(at);
    case 4:
      return f.signed ? data.readInt32LE(at) : data.readUInt32LE(at);
    case 8:
      return f.signed ? data.readBigInt64LE(at) : data.readBigUInt64LE(at);
    default:
      return data.subarray(at, at + f.size);
  }
}
