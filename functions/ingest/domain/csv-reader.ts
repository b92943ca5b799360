/**
 * Reads an extract as a stream of rows: detects gzip, the text encoding (UTF-8, else
 * Windows-1252/Latin-1) and the delimiter (`;` or `,`), maps the header onto the contract's
 * canonical columns, and yields each row with its line number. Memory stays bounded by the
 * stream's buffers whatever the file size. File-level problems raise `FileRejectedError`.
 */

import type { TransformCallback } from 'node:stream';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import type { SourceContract } from './contracts';

export type FileProblem =
  | 'empty'
  | 'not-csv'
  | 'missing-columns'
  | 'field-too-long'
  | 'decompression-bomb'
  | 'corrupt-gzip'
  | 'unknown-source'
  | 'bad-location';

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
  /** Declared encoding; detected from the first bytes when absent. */
  readonly encoding?: Encoding;
}

export const DEFAULT_READ_OPTIONS: ReadOptions = {
  maxFieldChars: 4_096,
  maxDecompressedBytes: 8 * 1024 ** 3,
};

export interface CsvRow {
  /** 1-based line number in the decompressed file (the header is line 1). */
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
  /** Number of fields in the row, to reject rows whose shape differs from the header. */
  readonly fieldCount: number;
}

export interface CsvLayout {
  readonly encoding: Encoding;
  readonly delimiter: ';' | ',';
  readonly gzip: boolean;
  readonly header: readonly string[];
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

/**
 * Opens an extract. Resolves once the header is read, with the layout and an async iterator of
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
  const decoded = chain(sample.rest, iconv.decodeStream(encoding) as unknown as Transform, stripBom());
  const firstText = iconv.decode(sample.head, encoding).replace(/^\uFEFF/, '');
  const firstLine = firstText.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = countOf(firstLine, ';') >= countOf(firstLine, ',') ? ';' : ',';
  if (countOf(firstLine, delimiter) === 0 && Object.keys(contract.columns).length > 1) {
    throw new FileRejectedError('not-csv', 'la primera línea no tiene separadores `;` ni `,`: no es un CSV');
  }

  const parser = chain(
    decoded,
    parse({
      delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
      max_record_size: options.maxFieldChars * 64,
    }),
  );
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    info: { lines: number };
  }>;

  const first = await nextOrFail(iterator);
  if (!first) throw new FileRejectedError('empty', 'el archivo no tiene encabezado');
  const header = first.record.map((h) => h.trim());
  const mapping = mapHeader(header, contract);
  const layout: CsvLayout = { encoding, delimiter, gzip, header, unknownColumns: mapping.unknown };

  async function* rows(): AsyncGenerator<CsvRow> {
    for (;;) {
      const next = await nextOrFail(iterator);
      if (!next) return;
      const values: Record<string, string> = {};
      for (let i = 0; i < mapping.columns.length; i++) {
        const canonical = mapping.columns[i];
        const value = next.record[i];
        if (value !== undefined && value.length > options.maxFieldChars) {
          throw new FileRejectedError(
            'field-too-long',
            `línea ${next.info.lines}: el campo ${canonical ?? header[i]} tiene ${value.length} caracteres (máximo ${options.maxFieldChars})`,
          );
        }
        if (canonical) values[canonical] = value ?? '';
      }
      yield { line: next.info.lines, values, fieldCount: next.record.length };
    }
  }
  return { layout, rows: rows() };
}

/**
 * Connects streams so that an error in any of them (a corrupt gzip, a bad byte sequence) reaches
 * the last one, where the reader sees it, instead of surfacing as an unhandled 'error' event.
 */
function chain<T extends Readable>(source: Readable, ...stages: [...Transform[], T]): T {
  const last = stages[stages.length - 1] as T;
  const streams: NodeJS.ReadWriteStream[] = stages as unknown as NodeJS.ReadWriteStream[];
  pipeline([source, ...streams], (error) => {
    if (error && !last.destroyed) last.destroy(error);
  });
  return last;
}

function mapHeader(
  header: readonly string[],
  contract: SourceContract<unknown>,
): { columns: (string | undefined)[]; unknown: string[] } {
  const byAlias = new Map<string, string>();
  for (const [canonical, aliases] of Object.entries(contract.columns)) {
    for (const alias of [canonical, ...aliases]) byAlias.set(headerKey(alias), canonical);
  }
  const columns = header.map((h) => byAlias.get(headerKey(h)));
  const present = new Set(columns.filter((c): c is string => c !== undefined));
  const missing = contract.required.filter((c) => !present.has(c));
  if (missing.length > 0) {
    throw new FileRejectedError(
      'missing-columns',
      `faltan columnas obligatorias de ${contract.source} v${contract.version}: ${missing.join(', ')} ` +
        `(encabezado leído: ${header.slice(0, 30).join(', ')})`,
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
  return { columns, unknown: header.filter((_, i) => columns[i] === undefined) };
}

async function nextOrFail<T>(iterator: AsyncIterator<T>): Promise<T | undefined> {
  try {
    const r = await iterator.next();
    return r.done ? undefined : r.value;
  } catch (error) {
    throw asFileError(error);
  }
}

function asFileError(error: unknown): Error {
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

/** Valid UTF-8 in the sample (allowing a sequence cut at its end) means UTF-8; else Windows-1252. */
export function detectEncoding(sample: Buffer): Encoding {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function countOf(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
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

function byteLimit(max: number): Transform {
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

function stripBom(): Transform {
  let first = true;
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _enc: BufferEncoding, done: TransformCallback) {
      let text = typeof chunk === 'string' ? chunk : chunk.toString();
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      done(null, text);
    },
  });
}
