/**
 * Just enough protobuf for the few tiny messages the build path reads and writes (BuildKit's
 * progress, the secrets and health gRPC calls): varints and length-delimited fields. A real
 * protobuf library would be a dependency for four messages.
 */

export type Field =
  | { no: number; wire: 0; value: bigint }
  | { no: number; wire: 2; value: Buffer }
  | { no: number; wire: 1 | 5; value: Buffer };

/** Every field of one message, in order; unknown wire types end the walk (never seen here). */
export function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      fields.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1 || wire === 5) {
      const len = wire === 1 ? 8 : 4;
      fields.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else break;
  }
  return fields;
}

export function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** A length-delimited field (string, bytes or embedded message). */
export function encodeBytes(no: number, value: Buffer | string): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([encodeVarint((no << 3) | 2), encodeVarint(data.length), data]);
}

export function encodeVarintField(no: number, value: number): Buffer {
  return Buffer.concat([encodeVarint(no << 3), encodeVarint(value)]);
}

export function stringField(fields: Field[], no: number): string | undefined {
  const f = fields.find((x) => x.no === no && x.wire === 2);
  return f ? (f.value as Buffer).toString('utf8') : undefined;
}
