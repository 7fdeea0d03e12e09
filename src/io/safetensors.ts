// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON mapping tensor names to
// {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data section) plus an optional
// "__metadata__" map of strings, then the raw little-endian data, every byte belonging to exactly one tensor.
// The reader checks all of that and names the file and the problem in every error. Files written here carry a
// CRC-32 of (name, dtype, shape, bytes) of every tensor in their metadata, verified on read when present, so
// corrupted data or reshuffled names are caught rather than loaded.

import type { DType, TypedArray } from '../backends/backend.js';
import { DTYPE_BYTES, typedArrayFor } from '../backends/backend.js';
import { Crc32 } from './crc32.js';

/** A tensor as stored in a safetensors file: dtype, shape and values. */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** What a safetensors file holds: named tensors and string metadata. */
export interface SafetensorsContents {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

const TO_FILE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const FROM_FILE: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32' };
// dtypes the format defines that this reader does not convert (named in the error rather than called unknown)
const OTHER_KNOWN = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'U32', 'I64', 'U64'];
export const CHECKSUM_KEY = 'slimegrad_crc32';

/** Serialises tensors (in the given order) to safetensors bytes; metadata values must be strings. */
export function encodeSafetensors(tensors: Map<string, RawTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__') throw new Error('encodeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`encodeSafetensors: tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`);
    const bytes = count * DTYPE_BYTES[t.dtype];
    header[name] = { dtype: TO_FILE[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  header.__metadata__ = { ...metadata, [CHECKSUM_KEY]: checksum(tensors) };
  let json = JSON.stringify(header);
  // pad with spaces so the data section starts 8-byte aligned, as the reference writer does
  json += ' '.repeat((8 - ((new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    writeLE(view, at, t);
    at += t.data.length * DTYPE_BYTES[t.dtype];
  }
  return out;
}

/** Parses and validates safetensors bytes; `file` names the source in every error. */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen < 2n || headerLen > BigInt(bytes.length - 8)) {
    fail(`header length ${headerLen} does not fit the file (${bytes.length - 8} bytes follow the length field): truncated file or wrong header length`);
  }
  const n = Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the ${n}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail('the header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry) || Object.values(entry).some((v) => typeof v !== 'string')) fail('"__metadata__" must map strings to strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const what = `tensor '${name}'`;
    if (!isPlainObject(entry)) fail(`${what}: entry must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${what}: dtype must be a string, got ${JSON.stringify(dtype)}`);
    const dt = FROM_FILE[dtype as string];
    if (!dt) {
      fail(OTHER_KNOWN.includes(dtype as string)
        ? `${what} has dtype ${dtype}, which slimegrad does not read (supported: F32, F64, I32)`
        : `${what} has unknown dtype ${JSON.stringify(dtype)} (supported: F32, F64, I32)`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${what}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLen) fail(`${what}: data_offsets [${begin}, ${end}] lie outside the ${dataLen}-byte data section`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dt];
    if (end - begin !== expected) {
      fail(`${what}: shape [${shape}] ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    entries.push({ name, dtype: dt, shape: shape as number[], begin, end });
  }
  // every data byte must belong to exactly one tensor: no overlaps, no holes, nothing trailing
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered) fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${covered})`);
    if (e.begin > covered) fail(`bytes [${covered}, ${e.begin}) of the data section belong to no tensor (before '${e.name}')`);
    covered = e.end;
  }
  if (covered !== dataLen) fail(`the data section has ${dataLen} bytes but the tensors cover ${covered}: truncated or trailing bytes`);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: readLE(view, dataStart + e.begin, e.dtype, (e.end - e.begin) / DTYPE_BYTES[e.dtype]) });
  }
  const stored = metadata[CHECKSUM_KEY];
  if (stored !== undefined && stored !== checksum(tensors)) {
    fail(`checksum mismatch (${CHECKSUM_KEY} says ${stored}, contents give ${checksum(tensors)}): the file is corrupted`);
  }
  return { tensors, metadata };
}

/** CRC-32 over every tensor's name, dtype, shape and bytes, in name order (independent of layout in the file). */
function checksum(tensors: Map<string, RawTensor>): string {
  const crc = new Crc32();
  const enc = new TextEncoder();
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    crc.update(enc.encode(`${name}\0${TO_FILE[t.dtype]}\0${t.shape.join(',')}\0`));
    const bytes = new Uint8Array(t.data.length * DTYPE_BYTES[t.dtype]);
    writeLE(new DataView(bytes.buffer), 0, t);
    crc.update(bytes);
  }
  return crc.hex();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function writeLE(view: DataView, at: number, t: RawTensor): void {
  const d = t.data;
  if (t.dtype === 'float32') for (let i = 0; i < d.length; i++) view.setFloat32(at + 4 * i, d[i], true);
  else if (t.dtype === 'float64') for (let i = 0; i < d.length; i++) view.setFloat64(at + 8 * i, d[i], true);
  else for (let i = 0; i < d.length; i++) view.setInt32(at + 4 * i, d[i], true);
}

function readLE(view: DataView, at: number, dtype: DType, count: number): TypedArray {
  const out = typedArrayFor(dtype, count);
  if (dtype === 'float32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
  else if (dtype === 'float64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
  else for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, true);
  return out;
}
