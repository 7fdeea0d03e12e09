// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON mapping tensor names to
// {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data section) plus an optional
// "__metadata__" map of strings, then the raw little-endian data, every byte belonging to exactly one tensor.
// The reader checks all of that and names the file and the problem in every error. Files written here carry a
// CRC-32 of (name, dtype, shape, bytes) of every tensor in their metadata, verified on read when present, so
// corrupted data or reshuffled names are caught rather than loaded.
//
// Reading is split in steps so that a file never has to be in memory at once: the 8-byte length is checked
// against the file size, then the header alone is parsed and validated, then each tensor's byte range is read
// (readSafetensors, over any ByteSource) or viewed (decodeSafetensors, over bytes already in memory). F16 and
// BF16 tensors are widened to float32 exactly; F32 / F64 / I32 tensors are views of the bytes read, not copies.

import type { DType, TypedArray } from '../backends/backend.js';
import { DTYPE_BYTES, typedArrayFor } from '../backends/backend.js';
import { Crc32 } from './crc32.js';
import { halfToFloat32, toHalfBytes, type HalfFormat } from './half.js';

/** A tensor's dtype, shape and values, as a file holds them (row-major). */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** A decoded safetensors file: its tensors in header order and its `__metadata__` strings. */
export interface SafetensorsContents {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

/** A tensor's entry in a validated header; `begin` / `end` are byte offsets into the data section. */
export interface TensorEntry {
  name: string;
  /** The dtype as the file stores it. */
  fileDtype: string;
  /** The dtype it is read as (F16 and BF16 become float32). */
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** A validated header: where the data section starts in the file, its tensors (in header order), metadata. */
export interface SafetensorsHeader {
  dataStart: number;
  entries: TensorEntry[];
  metadata: Record<string, string>;
}

/** Random access to a file's bytes (a Node file handle, a browser Blob, ...), so huge files are read by ranges. */
export interface ByteSource {
  size: number;
  /** Exactly `length` bytes starting at `position` (the caller keeps ranges within `size`). */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** Which dtype to store float tensors as; `undefined` keeps each tensor's own (F32 or F64). */
export type StoredFloat = 'F32' | HalfFormat | undefined;

const TO_FILE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const FROM_FILE: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  I32: 'int32',
  F16: 'float32',
  BF16: 'float32',
};
const FILE_BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, F16: 2, BF16: 2 };
// dtypes the format defines that this reader does not convert (named in the error rather than called unknown)
const OTHER_KNOWN = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'U32', 'I64', 'U64'];
const SUPPORTED = 'F32, F64, I32, F16, BF16';
/** The `__metadata__` key of the tensors' checksum in files slimegrad writes. */
export const CHECKSUM_KEY = 'slimegrad_crc32';
/** Largest header accepted; a larger length field means a damaged or foreign file, not a checkpoint. */
export const MAX_HEADER_BYTES = 100_000_000;
// root object -> tensor entry -> shape / data_offsets array; anything deeper is not a safetensors header
const MAX_HEADER_DEPTH = 3;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Serialises tensors (in the given order) to safetensors bytes; metadata values must be strings. */
export function encodeSafetensors(
  tensors: Map<string, RawTensor>,
  metadata: Record<string, string> = {},
  opts: { floatsAs?: StoredFloat } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const blobs: Uint8Array[] = [];
  const crc = new Map<string, [string, Uint8Array]>();
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === '__metadata__')
      throw new Error('encodeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`encodeSafetensors: tensor '${name}' has shape [${t.shape}] but ${t.data.length} values`);
    const fileDtype = t.dtype === 'int32' || opts.floatsAs === undefined ? TO_FILE[t.dtype] : opts.floatsAs;
    const bytes = tensorBytes(t, fileDtype);
    header[name] = { dtype: fileDtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    crc.set(name, [fileDtype, bytes]);
    offset += bytes.length;
  }
  header.__metadata__ = { ...metadata, [CHECKSUM_KEY]: checksumOf(crc, tensors) };
  let json = JSON.stringify(header);
  // pad with spaces so the data section starts 8-byte aligned, as the reference writer does
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Parses and validates safetensors bytes; `file` names the source in every error. F32 / F64 / I32 tensors view
 * `bytes` when aligned (no copy), so do not modify `bytes` while the tensors are in use.
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsContents {
  const headerLength = headerLengthOf(bytes.subarray(0, 8), bytes.length, file);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + headerLength), bytes.length, file);
  const raw = (e: TensorEntry) => bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
  const crc = new Crc32();
  for (const e of [...header.entries].sort(byName)) updateChecksum(crc, e.name, e.fileDtype, e.shape, raw(e));
  verifyChecksum(crc, header.metadata, file);
  const tensors = new Map<string, RawTensor>();
  for (const e of header.entries) tensors.set(e.name, tensorFromBytes(e, raw(e)));
  return { tensors, metadata: header.metadata };
}

/**
 * Reads a safetensors file by ranges: the length field, then the header, then each tensor's bytes, checking each
 * step before reading the next, so a damaged or huge file costs no more memory than its tensors.
 */
export async function readSafetensors(source: ByteSource, file: string): Promise<SafetensorsContents> {
  const headerLength = headerLengthOf(
    source.size >= 8 ? await source.read(0, 8) : new Uint8Array(0),
    source.size,
    file,
  );
  const header = parseSafetensorsHeader(await source.read(8, headerLength), source.size, file);
  const crc = new Crc32();
  const read = new Map<string, RawTensor>();
  for (const e of [...header.entries].sort(byName)) {
    const bytes = await source.read(header.dataStart + e.begin, e.end - e.begin);
    updateChecksum(crc, e.name, e.fileDtype, e.shape, bytes);
    read.set(e.name, tensorFromBytes(e, bytes));
  }
  verifyChecksum(crc, header.metadata, file);
  return { tensors: new Map(header.entries.map((e) => [e.name, read.get(e.name)!])), metadata: header.metadata };
}

/** The header length from a file's first 8 bytes, checked against the file size before anything else is read. */
export function headerLengthOf(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.length < 8) {
    throw new Error(
      `${file}: truncated: ${fileSize} bytes, but a safetensors file starts with an 8-byte header length`,
    );
  }
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (length < 2n || length > BigInt(fileSize - 8)) {
    throw new Error(
      `${file}: header length ${length} does not fit the file (${fileSize - 8} bytes follow the length field): ` +
        'truncated file, wrong header length, or not a safetensors file',
    );
  }
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(
      `${file}: header length ${length} exceeds ${MAX_HEADER_BYTES} bytes: not a safetensors file, or a damaged one`,
    );
  }
  return Number(length);
}

/** Parses and validates the header bytes of a `fileSize`-byte file (every data byte must belong to one tensor). */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  const n = headerBytes.length;
  checkNesting(headerBytes, fail);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    fail(`the ${n}-byte header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail('the header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = fileSize - dataStart;
  const entries: TensorEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry) || Object.values(entry).some((v) => typeof v !== 'string'))
        fail('"__metadata__" must map strings to strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const what = `tensor '${name}'`;
    if (!isPlainObject(entry)) fail(`${what}: entry must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string') fail(`${what}: dtype must be a string, got ${brief(dtype)}`);
    // own keys only: a dtype such as "toString" must not find Object.prototype's members
    const dt = Object.hasOwn(FROM_FILE, dtype as string) ? FROM_FILE[dtype as string] : undefined;
    if (!dt) {
      fail(
        OTHER_KNOWN.includes(dtype as string)
          ? `${what} has dtype ${dtype}, which slimegrad does not read (supported: ${SUPPORTED})`
          : `${what} has unknown dtype ${brief(dtype)} (supported: ${SUPPORTED})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${what}: shape must be an array of non-negative integers, got ${brief(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`${what}: data_offsets must be [begin, end] non-negative integers, got ${brief(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (begin > end || end > dataLen)
      fail(`${what}: data_offsets [${begin}, ${end}] lie outside the ${dataLen}-byte data section`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * FILE_BYTES[dtype as string];
    if (end - begin !== expected) {
      fail(
        `${what}: shape [${shape}] ${dtype} needs ${expected} bytes ` +
          `but data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    entries.push({ name, fileDtype: dtype as string, dtype: dt as DType, shape: shape as number[], begin, end });
  }
  // every data byte must belong to exactly one tensor: no overlaps, no holes, nothing trailing
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered)
      fail(
        `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] ` +
          `overlap the previous tensor (which ends at ${covered})`,
      );
    if (e.begin > covered)
      fail(`bytes [${covered}, ${e.begin}) of the data section belong to no tensor (before '${e.name}')`);
    covered = e.end;
  }
  if (covered !== dataLen)
    fail(`the data section has ${dataLen} bytes but the tensors cover ${covered}: truncated or trailing bytes`);
  return { dataStart, entries, metadata };
}

/** The tensor stored in `bytes` (exactly its data_offsets range): a view when possible, else one copy. */
export function tensorFromBytes(e: TensorEntry, bytes: Uint8Array): RawTensor {
  const count = e.shape.reduce((a, b) => a * b, 1);
  if (e.fileDtype === 'F16' || e.fileDtype === 'BF16')
    return { dtype: 'float32', shape: e.shape, data: halfToFloat32(bytes, count, e.fileDtype) };
  const width = DTYPE_BYTES[e.dtype];
  if (LITTLE_ENDIAN_HOST && bytes.byteOffset % width === 0) {
    const { buffer, byteOffset } = bytes;
    const data =
      e.dtype === 'float32'
        ? new Float32Array(buffer, byteOffset, count)
        : e.dtype === 'float64'
          ? new Float64Array(buffer, byteOffset, count)
          : new Int32Array(buffer, byteOffset, count);
    return { dtype: e.dtype, shape: e.shape, data };
  }
  const out = typedArrayFor(e.dtype, count);
  new Uint8Array(out.buffer).set(LITTLE_ENDIAN_HOST ? bytes : swapBytes(bytes, width));
  return { dtype: e.dtype, shape: e.shape, data: out };
}

/** A short rendering of a header value for an error message. */
function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Refuses headers nested deeper than a safetensors header can be, before JSON.parse builds them. */
function checkNesting(bytes: Uint8Array, fail: (problem: string) => never): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped character
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_HEADER_DEPTH) {
        fail(
          `the header nests deeper than ${MAX_HEADER_DEPTH} levels at byte ${8 + i} (a safetensors header is an ` +
            'object of tensor entries whose shape and data_offsets are flat arrays): damaged or not a safetensors file',
        );
      }
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
}

// names are unique (a header is a JSON object), so no two compare equal
function byName(a: TensorEntry, b: TensorEntry): number {
  return a.name < b.name ? -1 : 1;
}

/** The checksum covers each tensor's name, stored dtype, shape and stored bytes, in name order. */
function updateChecksum(crc: Crc32, name: string, fileDtype: string, shape: number[], bytes: Uint8Array): void {
  crc.update(new TextEncoder().encode(`${name}\0${fileDtype}\0${shape.join(',')}\0`)).update(bytes);
}

function checksumOf(stored: Map<string, [string, Uint8Array]>, tensors: Map<string, RawTensor>): string {
  const crc = new Crc32();
  for (const name of [...stored.keys()].sort()) {
    const [fileDtype, bytes] = stored.get(name)!;
    updateChecksum(crc, name, fileDtype, tensors.get(name)!.shape, bytes);
  }
  return crc.hex();
}

function verifyChecksum(crc: Crc32, metadata: Record<string, string>, file: string): void {
  const stored = metadata[CHECKSUM_KEY];
  if (stored !== undefined && stored !== crc.hex()) {
    throw new Error(
      `${file}: checksum mismatch (${CHECKSUM_KEY} says ${stored}, contents give ${crc.hex()}): the file is corrupted`,
    );
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A tensor's little-endian bytes as `fileDtype` (its own dtype, or F32 / F16 / BF16 for a float tensor). */
function tensorBytes(t: RawTensor, fileDtype: string): Uint8Array {
  if (fileDtype === 'F16' || fileDtype === 'BF16') return toHalfBytes(t.data, fileDtype);
  // the copy has the stored dtype, so a float64 tensor stored as F32 is rounded here, once
  const copy = typedArrayFor(FROM_FILE[fileDtype], t.data.length);
  copy.set(t.data);
  const bytes = new Uint8Array(copy.buffer);
  return LITTLE_ENDIAN_HOST ? bytes : swapBytes(bytes, FILE_BYTES[fileDtype]);
}

/** Reverses the bytes of each `width`-byte value (big-endian hosts only; exported for its test). */
export function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j];
  return out;
}
