/**
 * Reads extracts as streams of rows. A file's layout — text encoding (UTF-8, else
 * Windows-1252/Latin-1), delimiter (`;` or `,`), and the mapping of its header onto the contract's
 * canonical columns — is read once from its first bytes; rows are then read from the whole file or
 * from any byte range of it with the same layout, each with its physical line number. Memory stays
 * bounded by the stream buffers whatever the size. File-level problems raise `FileRejectedError`.
 */
import { isUtf8 } from 'node:buffer';
import type { TransformCallback } from 'node:stream';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import type { SourceContract } from './contracts';
import type { ParsedRecord } from './csv-parser';
import { CsvRecordParser, CsvSyntaxError } from './csv-parser';

export type FileProblem =
  | 'empty'
  | 'not-csv'
  | 'missing-columns'
  | 'field-too-long'
  | 'decompression-bomb'
  | 'corrupt-gzip'
  | 'unknown-source'
  | 'bad-location'
  | 'manifest-mismatch'
  | 'processing-failed';

/** The whole file is refused; nothing from it is written. */
export class FileRejectedError extends Error {
  override readonly name = 'FileRejectedError';
  constructor(
    readonly problem: FileProblem,
    message: string,
  ) {
    super(message);
  }
}

export type Encoding = 'utf-8' | 'windows-1252';

export interface ReadOptions {
  /** Longest field accepted, in characters. */
  readonly maxFieldChars: number;
  /** Largest decompressed size accepted for a gzip file, in bytes. */
  readonly maxDecompressedBytes: number;
  /** Declared encoding; detected when absent. */
  readonly encoding?: Encoding;
}

export const DEFAULT_READ_OPTIONS: ReadOptions = {
  maxFieldChars: 4_096,
  maxDecompressedBytes: 8 * 1024 ** 3,
};

export interface CsvRow {
  /** 1-based physical line number in the decompressed file (the header is line 1). */
  readonly line: number;
  /** The row's fields in the file's column order (`CsvLayout.columns` names them). */
  readonly fields: readonly string[];
}

/** How to read a file's rows: fixed by its first bytes, shared by every chunk. */
export interface CsvLayout {
  readonly encoding: Encoding;
  readonly delimiter: ';' | ',';
  readonly gzip: boolean;
  readonly header: readonly string[];
  /** Canonical column per header position (null where the column is not in the contract). */
  readonly columns: readonly (string | null)[];
  readonly unknownColumns: readonly string[];
}

/** Header spellings are compared without case, accents, spaces or punctuation. */
export function headerKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** Valid UTF-8 in the sample (allowing a sequence cut at its end) means UTF-8; else Windows-1252. */
export function detectEncoding(sample: Buffer): Encoding {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * Checks UTF-8 validity across a whole stream fed in pieces: a multi-byte sequence cut between two
 * pieces is carried over. After `end()`, `valid` says whether every byte was well-formed UTF-8.
 */
export class Utf8Validator {
  private carry: Buffer = Buffer.alloc(0);
  valid = true;

  feed(bytes: Buffer): void {
    if (!this.valid) return;
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    let cut = data.length;
    // Back up to the last ASCII byte so that no sequence is split.
    while (cut > 0 && cut > data.length - 4 && (data[cut - 1] as number) >= 0x80) cut--;
    if (!isUtf8(data.subarray(0, cut))) this.valid = false;
    this.carry = Buffer.from(data.subarray(cut));
  }

  end(): boolean {
    if (this.valid && this.carry.length > 0) this.valid = isUtf8(this.carry);
    return this.valid;
  }
}

/** Reads the layout from a file's header line, or explains why the file cannot be this contract's CSV. */
export function layoutFromHeader(
  headerBytes: Buffer,
  encoding: Encoding,
  gzip: boolean,
  contract: SourceContract<unknown>,
): CsvLayout {
  if (headerBytes.includes(0)) {
    throw new FileRejectedError('not-csv', 'el archivo contiene bytes nulos: no es un CSV de texto');
  }
  const line = iconv
    .decode(headerBytes, encoding)
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '');
  if (line.trim() === '') throw new FileRejectedError('empty', 'el archivo no tiene encabezado');
  const delimiter = countOf(line, ';') >= countOf(line, ',') ? ';' : ',';
  if (countOf(line, delimiter) === 0) {
    throw new FileRejectedError('not-csv', 'la primera línea no tiene separadores `;` ni `,`: no es un CSV');
  }
  const header = line.split(delimiter).map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const mapping = mapHeader(header, contract);
  return { encoding, delimiter, gzip, header, columns: mapping.columns, unknownColumns: mapping.unknown };
}

/**
 * Rows of a byte range of a file (or of the whole file without its header), with line numbers
 * counted from `firstLine`. Errors of any stage reach the consumer as FileRejectedError.
 */
export async function* readRows(
  bytes: Readable,
  layout: CsvLayout,
  options: Pick<ReadOptions, 'maxFieldChars'>,
  firstLine: number,
): AsyncGenerator<CsvRow> {
  for await (const batch of readRowBatches(bytes, layout, options, firstLine)) yield* batch;
}

/**
 * A row's values by canonical column (columns outside the contract left out, missing fields
 * empty), for the quarantine and for reading a rejected row's institution.
 */
export function rowValues(row: CsvRow, layout: Pick<CsvLayout, 'columns'>): Record<string, string> {
  const values: Record<string, string> = {};
  const columns = layout.columns;
  for (let i = 0; i < columns.length; i++) {
    const canonical = columns[i];
    if (canonical) values[canonical] = row.fields[i] ?? '';
  }
  return values;
}

/** As `readRows`, in batches (one per piece of text read), for loops that handle many rows per await. */
export async function* readRowBatches(
  bytes: Readable,
  layout: CsvLayout,
  options: Pick<ReadOptions, 'maxFieldChars'>,
  firstLine: number,
): AsyncGenerator<CsvRow[]> {
  const text: AsyncIterable<string | Buffer> =
    layout.encoding === 'windows-1252'
      ? bytes
      : chain(bytes, iconv.decodeStream(layout.encoding) as unknown as Transform, stripBom());
  const decode = layout.encoding === 'windows-1252' ? decodeWindows1252 : undefined;
  const parser = new CsvRecordParser(layout.delimiter, options.maxFieldChars * 64, firstLine);
  let records: ParsedRecord[] = [];
  const max = options.maxFieldChars;
  const checkLengths = (batch: readonly ParsedRecord[]): void => {
    for (const record of batch) {
      const fields = record.fields;
      const count = Math.min(fields.length, layout.columns.length);
      for (let i = 0; i < count; i++) {
        const value = fields[i] as string;
        if (value.length > max) {
          const canonical = layout.columns[i];
          throw new FileRejectedError(
            'field-too-long',
            `línea ${record.line}: el campo ${canonical ?? layout.header[i]} tiene ${value.length} caracteres (máximo ${max})`,
          );
        }
      }
    }
  };
  try {
    for await (const piece of text) {
      parser.push(
        decode ? decode(Buffer.isBuffer(piece) ? piece : Buffer.from(piece)) : String(piece),
        records,
      );
      if (records.length > 0) {
        checkLengths(records);
        yield records;
        records = [];
      }
    }
    parser.end(records);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new FileRejectedError('not-csv', `no se puede leer como CSV: ${error.message}`);
    }
    throw asFileError(error);
  }
  if (records.length > 0) {
    checkLengths(records);
    yield records;
  }
}

/**
 * Windows-1252 as iconv-lite decodes it, one character per byte. Where it agrees with Latin-1
 * (everywhere but 0x80–0x9F) the bytes are read natively; the few others are then replaced.
 */
const WINDOWS_1252 = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, b) => b)), 'windows-1252');
const WINDOWS_1252_ONLY = new RegExp(
  `[${Array.from(WINDOWS_1252)
    .map((c, b) => (c.charCodeAt(0) === b ? '' : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('')}]`,
  'g',
);

export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  WINDOWS_1252_ONLY.lastIndex = 0;
  return WINDOWS_1252_ONLY.test(latin1)
    ? latin1.replace(WINDOWS_1252_ONLY, (c) => WINDOWS_1252.charAt(c.charCodeAt(0)))
    : latin1;
}

/** Drops a byte-order mark at the start of the text. */
function stripBom(): Transform {
  let first = true;
  return new Transform({
    decodeStrings: false,
    readableObjectMode: true,
    transform(chunk: string | Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let text = typeof chunk === 'string' ? chunk : chunk.toString();
      if (first && text.length > 0) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      done(null, text);
    },
  });
}

/**
 * Opens a whole extract (plain or gzip): resolves once the header is read, with the layout and the
 * rows; rejects with FileRejectedError when the file cannot be read as this contract's CSV.
 */
export async function openCsv(
  input: Readable,
  contract: SourceContract<unknown>,
  options: ReadOptions = DEFAULT_READ_OPTIONS,
): Promise<{ layout: CsvLayout; rows: AsyncGenerator<CsvRow> }> {
  const { head, rest } = await peek(input, 2);
  if (head.length === 0) throw new FileRejectedError('empty', 'el archivo está vacío');
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const bytes: Readable = gzip ? chain(rest, createGunzip(), byteLimit(options.maxDecompressedBytes)) : rest;
  const sample = await peek(bytes, 64 * 1024);
  if (sample.head.length === 0) throw new FileRejectedError('empty', 'el archivo está vacío');
  const encoding = options.encoding ?? detectEncoding(sample.head);
  if (sample.head.includes(0)) {
    throw new FileRejectedError('not-csv', 'el archivo contiene bytes nulos: no es un CSV de texto');
  }
  const newline = sample.head.indexOf(0x0a);
  const layout = layoutFromHeader(
    newline === -1 ? sample.head : sample.head.subarray(0, newline),
    encoding,
    gzip,
    contract,
  );
  async function* all(): AsyncGenerator<CsvRow> {
    let first = true;
    for await (const row of readRows(sample.rest, layout, options, 1)) {
      if (first) {
        first = false;
        continue; // the header, already read
      }
      yield row;
    }
  }
  return { layout, rows: all() };
}

function mapHeader(
  header: readonly string[],
  contract: SourceContract<unknown>,
): { columns: (string | null)[]; unknown: string[] } {
  const byAlias = new Map<string, string>();
  for (const [canonical, aliases] of Object.entries(contract.columns)) {
    for (const alias of [canonical, ...aliases]) byAlias.set(headerKey(alias), canonical);
  }
  const columns = header.map((h) => byAlias.get(headerKey(h)) ?? null);
  const present = new Set(columns.filter((c): c is string => c !== null));
  const missing = contract.required.filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new FileRejectedError(
      'missing-columns',
      `faltan columnas obligatorias de ${contract.source} v${contract.version}: ${missing.join(', ')} ` +
        `(${describeHeader(header)})`,
    );
  }
  const seen = new Set<string>();
  for (const c of columns) {
    if (c && seen.has(c)) {
      throw new FileRejectedError(
        'missing-columns',
        `la columna ${c} aparece más de una vez en el encabezado`,
      );
    }
    if (c) seen.add(c);
  }
  return { columns, unknown: header.filter((_, i) => columns[i] === null) };
}

/**
 * What the first line holds, for an error message: its cells only if they look like column names,
 * since a file without a header would otherwise show its first record (personal data).
 */
function describeHeader(header: readonly string[]): string {
  const looksLikeNames = header.every((h) => /^[\p{L}_ ]{1,40}$/u.test(h));
  return looksLikeNames
    ? `encabezado leído: ${header.slice(0, 30).join(', ')}`
    : `la primera línea, de ${header.length} campos, no parece un encabezado`;
}

export function asFileError(error: unknown): Error {
  if (error instanceof FileRejectedError) return error;
  const e = error as { code?: string; message?: string };
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') {
    return new FileRejectedError('corrupt-gzip', `el archivo gzip está dañado: ${e.message ?? ''}`.trim());
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return new FileRejectedError('not-csv', `no se puede leer como CSV: ${e.message ?? e.code}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function countOf(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

/**
 * Connects streams so that an error in any of them (a corrupt gzip, a bad byte sequence) reaches
 * the last one, where the reader sees it, instead of surfacing as an unhandled 'error' event.
 */
export function chain<T extends Readable>(source: Readable, ...stages: [...Transform[], T]): T {
  const last = stages[stages.length - 1] as T;
  const streams = stages as unknown as NodeJS.ReadWriteStream[];
  pipeline([source, ...streams], (error) => {
    if (error && !last.destroyed) last.destroy(error);
  });
  return last;
}

/**
 * Reads at least `size` bytes (or to the end) without losing them: returns them and a stream that
 * replays them followed by the rest of the input.
 */
async function peek(input: Readable, size: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = input[Symbol.asyncIterator]();
  let done = false;
  try {
    while (length < size) {
      const r = await iterator.next();
      if (r.done) {
        done = true;
        break;
      }
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      chunks.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    throw asFileError(error);
  }
  const head = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await iterator.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    }
  }
  return { head, rest: Readable.from(replay(), { objectMode: false }) };
}

/** Fails the stream once more than `max` bytes have passed: the decompression-bomb guard. */
export function byteLimit(max: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      total += chunk.length;
      if (total > max) {
        done(
          new FileRejectedError(
            'decompression-bomb',
            `el archivo descomprimido supera ${max} bytes: se rechaza como posible bomba de descompresión`,
          ),
        );
        return;
      }
      done(null, chunk);
    },
  });
}
