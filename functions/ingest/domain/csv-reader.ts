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
import type { SourceContract } from './contracts';
import type { ParsedRecord } from './csv-parser';
import { CsvRecordParser, CsvSyntaxError } from './csv-parser';
import type { Encoding, EncodingTally } from './line-decoder';
import { decodeLine, decodeLines, emptyEncodingTally } from './line-decoder';
import type { Segment } from './record-scanner';
import { delimiterOf, RecordScanner, structuralReason } from './record-scanner';

export type { Encoding } from './line-decoder';
export { decodeWindows1252 } from './line-decoder';

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
  | 'manifest-missing'
  | 'too-many-malformed'
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

export interface ReadOptions {
  /** Longest field accepted, in characters. */
  readonly maxFieldChars: number;
  /** Largest decompressed size accepted for a gzip file, in bytes. */
  readonly maxDecompressedBytes: number;
  /**
   * Longest record, in bytes: a longer one is quarantined as malformed, and no reader holds more
   * than this of one record. @default DEFAULT_MAX_RECORD_BYTES
   */
  readonly maxRecordBytes?: number;
}

/** 1 MiB: four times the longest record of 64 fields at the default field limit, in ASCII. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 ** 2;

export const DEFAULT_READ_OPTIONS: ReadOptions = {
  maxFieldChars: 4_096,
  maxDecompressedBytes: 8 * 1024 ** 3,
  maxRecordBytes: DEFAULT_MAX_RECORD_BYTES,
};

export interface CsvRow {
  /** 1-based physical line number in the decompressed file (the header is line 1). */
  readonly line: number;
  /** The row's fields in the file's column order (`CsvLayout.columns` names them). */
  readonly fields: readonly string[];
  /** Set when the row cannot be taken as it is: it is quarantined with this field and reason. */
  readonly problem?: { readonly field: string; readonly reason: string; readonly preview?: string };
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
  const line = decodeLine(headerBytes)
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '');
  if (line.trim() === '') throw new FileRejectedError('empty', 'el archivo no tiene encabezado');
  const delimiter = delimiterOf(headerBytes);
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
  options: Pick<ReadOptions, 'maxFieldChars' | 'maxRecordBytes'>,
  firstLine: number,
  notes?: ReadNotes,
): AsyncGenerator<CsvRow> {
  for await (const batch of readRowBatches(bytes, layout, options, firstLine, notes)) yield* batch;
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

/** What reading a byte range noticed beyond its rows: malformed records and mixed encodings. */
export interface ReadNotes {
  /** Records quarantined for their structure (quotes, NUL bytes, length). */
  structural: number;
  /** Rows with a field longer than the limit. */
  fieldTooLong: number;
  readonly encoding: EncodingTally;
}

export function emptyReadNotes(): ReadNotes {
  return { structural: 0, fieldTooLong: 0, encoding: emptyEncodingTally() };
}

/**
 * As `readRows`, in batches (one per piece of bytes read), for loops that handle many rows per
 * await. A malformed record comes out as a row with `problem` set and no fields, in its place; a
 * row with a field over the limit comes out with `problem` set and that field cut short. Each line
 * is decoded by what its bytes are (see `line-decoder.ts`).
 */
export async function* readRowBatches(
  bytes: Readable,
  layout: CsvLayout,
  options: Pick<ReadOptions, 'maxFieldChars' | 'maxRecordBytes'>,
  firstLine: number,
  notes: ReadNotes = emptyReadNotes(),
): AsyncGenerator<CsvRow[]> {
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const scanner = new RecordScanner(layout.delimiter, maxRecordBytes, firstLine);
  // The scanner hands over whole records only, so the parser never holds more than one.
  const parser = new CsvRecordParser(layout.delimiter, Number.MAX_SAFE_INTEGER, firstLine);
  const max = options.maxFieldChars;
  let records: ParsedRecord[] = [];
  const rowsOf = (segments: readonly Segment[], out: CsvRow[]): void => {
    for (const segment of segments) {
      if (segment.kind === 'bad') {
        parser.push('\n'.repeat(segment.lines), records);
        notes.structural++;
        out.push({
          line: segment.line,
          fields: [],
          problem: {
            field: '(registro)',
            reason: structuralReason(segment.problem, maxRecordBytes),
            preview: decodeLine(segment.preview),
          },
        });
        continue;
      }
      parser.push(decodeLines(segment.bytes, segment.firstLine, notes.encoding), records);
      collect(out);
    }
  };
  const collect = (out: CsvRow[]): void => {
    for (const record of records) out.push(checkLengths(record, layout, max, notes));
    records = [];
  };
  try {
    for await (const piece of bytes) {
      const out: CsvRow[] = [];
      rowsOf(scanner.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece)), out);
      if (out.length > 0) yield out;
    }
    const out: CsvRow[] = [];
    rowsOf(scanner.end(), out);
    parser.end(records);
    collect(out);
    if (out.length > 0) yield out;
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new FileRejectedError('not-csv', `no se puede leer como CSV: ${error.message}`);
    }
    throw asFileError(error);
  }
}

/** The row, or the row marked with its first field over `max` characters (cut short). */
function checkLengths(record: ParsedRecord, layout: CsvLayout, max: number, notes: ReadNotes): CsvRow {
  const fields = record.fields;
  const count = Math.min(fields.length, layout.columns.length);
  for (let i = 0; i < count; i++) {
    const value = fields[i] as string;
    if (value.length <= max) continue;
    notes.fieldTooLong++;
    const canonical = layout.columns[i] ?? layout.header[i] ?? `#${i + 1}`;
    return {
      line: record.line,
      fields: fields.map((f) => (f.length > max ? `${f.slice(0, 100)}…` : f)),
      problem: { field: canonical, reason: `tiene ${value.length} caracteres (máximo ${max})` },
    };
  }
  return { line: record.line, fields };
}

/** The longest header line accepted: a first line longer than this is no CSV header. */
export const MAX_HEADER_BYTES = 1024 ** 2;

/**
 * Opens a whole extract (plain or gzip): resolves once the header line is read, with the layout and
 * the rows (and what reading them noticed, complete once the rows are consumed); rejects with
 * FileRejectedError when the file cannot be read as this contract's CSV.
 */
export async function openCsv(
  input: Readable,
  contract: SourceContract<unknown>,
  options: ReadOptions = DEFAULT_READ_OPTIONS,
): Promise<{ layout: CsvLayout; rows: AsyncGenerator<CsvRow>; notes: ReadNotes }> {
  const { head, rest } = await peek(input, 2);
  if (head.length === 0) throw new FileRejectedError('empty', 'el archivo está vacío');
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const bytes: Readable = gzip ? chain(rest, createGunzip(), byteLimit(options.maxDecompressedBytes)) : rest;
  const { header, body } = await headerLine(bytes);
  if (header.length === 0 && body === undefined)
    throw new FileRejectedError('empty', 'el archivo está vacío');
  const layout = layoutFromHeader(header, isUtf8(header) ? 'utf-8' : 'windows-1252', gzip, contract);
  const notes = emptyReadNotes();
  async function* all(): AsyncGenerator<CsvRow> {
    if (body) yield* readRows(body, layout, options, 2, notes);
  }
  return { layout, rows: all(), notes };
}

/**
 * Splits the header line (without its line break) from the rest of the stream. The header is the
 * first physical line; one without a line break in its first MiB is refused.
 */
export async function headerLine(input: Readable): Promise<{ header: Buffer; body: Readable | undefined }> {
  const parts: Buffer[] = [];
  let length = 0;
  const iterator = input[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await iterator.next();
      if (r.done) {
        const header = stripCr(Buffer.concat(parts));
        return { header, body: undefined };
      }
      const piece = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      const nl = piece.indexOf(0x0a);
      if (nl === -1) {
        parts.push(piece);
        length += piece.length;
        if (length > MAX_HEADER_BYTES) {
          throw new FileRejectedError(
            'not-csv',
            `la primera línea no termina en el primer MiB: no es un encabezado CSV`,
          );
        }
        continue;
      }
      parts.push(piece.subarray(0, nl));
      const tail = piece.subarray(nl + 1);
      async function* replay(): AsyncGenerator<Buffer> {
        if (tail.length > 0) yield tail;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        }
      }
      return { header: stripCr(Buffer.concat(parts)), body: Readable.from(replay(), { objectMode: false }) };
    }
  } catch (error) {
    throw asFileError(error);
  }
}

function stripCr(line: Buffer): Buffer {
  return line.at(-1) === 0x0d ? line.subarray(0, line.length - 1) : line;
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
