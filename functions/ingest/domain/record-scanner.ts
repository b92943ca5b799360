/**
 * Finds the records of a CSV byte stream, and the malformed ones among them, in one streaming pass
 * with memory bounded by the longest record allowed. Planning (to place chunk boundaries), every
 * chunk task and the single-pass reader run this same scanner, so they agree on where each record
 * starts and ends, and a malformed record costs that record only, never the file.
 *
 * The grammar is RFC 4180's, as `CsvRecordParser` reads it: a field that starts with `"` is quoted
 * up to the `"` that is not an escaped `""`, and must be followed by the delimiter or the line end;
 * a `"` anywhere else is an error. A record that breaks it ends at the first line break after its
 * start, and scanning goes on from there, so that one stray quote cannot swallow the rest of the
 * file. A record longer than `maxRecordBytes` is malformed too (an unclosed quote, or one line that
 * long), decided from the record's own bytes, so that the outcome does not depend on how the stream
 * was cut into pieces. Empty lines are no records, as for the parser.
 */

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const NUL = 0x00;
const PREVIEW_BYTES = 200;

export type StructuralProblem =
  | 'stray-quote'
  | 'text-after-quote'
  | 'unclosed-quote'
  | 'null-byte'
  | 'record-too-long';

/** What the quarantine and the report say of each problem (Spanish: the data team reads it). */
export function structuralReason(problem: StructuralProblem, maxRecordBytes: number): string {
  switch (problem) {
    case 'stray-quote':
      return 'comilla dentro de un campo sin comillas';
    case 'text-after-quote':
      return 'texto después de las comillas de cierre de un campo';
    case 'unclosed-quote':
      return `comillas sin cerrar (el registro supera ${maxRecordBytes} bytes o el archivo termina dentro de ellas)`;
    case 'null-byte':
      return 'el registro contiene bytes nulos';
    case 'record-too-long':
      return `línea de más de ${maxRecordBytes} bytes`;
  }
}

/** Well-formed records, contiguous in the stream. */
export interface GoodSegment {
  readonly kind: 'good';
  /** The records' bytes, each ended by its line break (the last one of a file may lack it). */
  readonly bytes: Buffer;
  /** Byte offset of the first record in the stream. */
  readonly start: number;
  /** Physical line of the first record. */
  readonly firstLine: number;
  /** Line breaks in `bytes`. */
  readonly lines: number;
  /** Records in `bytes` (empty lines are none). */
  readonly records: number;
}

/** One malformed record. */
export interface BadSegment {
  readonly kind: 'bad';
  readonly start: number;
  /** Offset one past its last byte (its line break included). */
  readonly end: number;
  readonly line: number;
  /** Line breaks it spans (1 but for a last line without one: 0). */
  readonly lines: number;
  readonly problem: StructuralProblem;
  /** Its first bytes, for the quarantine. */
  readonly preview: Buffer;
}

export type Segment = GoodSegment | BadSegment;

type RecordScan =
  | { readonly kind: 'good'; readonly end: number; readonly lines: number; readonly empty: boolean }
  | { readonly kind: 'bad'; readonly end: number; readonly problem: StructuralProblem }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'too-long'; readonly end: number | undefined };

export class RecordScanner {
  /** The bytes of the record not yet complete, in the pieces they came in. */
  private carryParts: Buffer[] = [];
  private carryLength = 0;
  /** Whether the carried record already holds a line break (its first line is complete). */
  private carryHasLf = false;
  /** Offset of the next byte to be pushed. */
  private position: number;
  /** Line of the next record (the carry's first byte). */
  private line: number;
  private skipping: { start: number; line: number; preview: Buffer } | undefined;
  private readonly delimiter: number;
  /** Next quote at or after the last position searched in the data being scanned (-1: none). */
  private quoteAt = -1;
  private quoteFrom = Number.POSITIVE_INFINITY;
  /** Records and malformed records seen so far. */
  records = 0;
  malformed = 0;

  /**
   * @param startOffset offset of the first byte pushed within the file.
   * @param firstLine physical line of the first byte pushed.
   * @param segmentBytes a run of good records is handed over once it reaches this size, so that
   *   a caller placing boundaries between records can place them this finely.
   */
  constructor(
    delimiter: ';' | ',',
    private readonly maxRecordBytes: number,
    firstLine: number,
    startOffset = 0,
    private readonly segmentBytes = Number.POSITIVE_INFINITY,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.line = firstLine;
    this.position = startOffset;
  }

  /**
   * While a line longer than the limit is being skipped, the offset where it started: no byte from
   * there on belongs to a record to keep.
   */
  get skippingFrom(): number | undefined {
    return this.skipping?.start;
  }

  /** Scans the bytes; returns the segments they complete (views into `bytes` or the carry). */
  push(bytes: Buffer): Segment[] {
    const out: Segment[] = [];
    let data = bytes;
    let base = this.position;
    this.position += bytes.length;
    if (this.skipping) {
      const nl = data.indexOf(LF);
      if (nl === -1) return out;
      this.emitBad(
        out,
        this.skipping.start,
        base + nl + 1,
        this.skipping.line,
        1,
        'record-too-long',
        this.skipping.preview,
      );
      this.line = this.skipping.line + 1;
      this.skipping = undefined;
      data = data.subarray(nl + 1);
      base += nl + 1;
    }
    if (this.carryLength > 0) {
      if (!this.carryHasLf && data.indexOf(LF) === -1) {
        // Still inside the record's first line: held as it came, or skipped once it is too long,
        // without copying it again for every piece.
        if (this.carryLength + data.length > this.maxRecordBytes) {
          const first = this.carryParts[0] as Buffer;
          this.skipping = {
            start: base - this.carryLength,
            line: this.line,
            preview: Buffer.from(first.subarray(0, PREVIEW_BYTES)),
          };
          this.clearCarry();
        } else {
          this.carryParts.push(Buffer.from(data));
          this.carryLength += data.length;
        }
        return out;
      }
      base -= this.carryLength;
      data = Buffer.concat([...this.carryParts, data]);
      this.clearCarry();
    }
    this.scan(data, base, out, false);
    return out;
  }

  private clearCarry(): void {
    this.carryParts = [];
    this.carryLength = 0;
    this.carryHasLf = false;
  }

  /** Ends the stream: the last record may lack its line break. */
  end(): Segment[] {
    const out: Segment[] = [];
    if (this.skipping) {
      this.emitBad(
        out,
        this.skipping.start,
        this.position,
        this.skipping.line,
        0,
        'record-too-long',
        this.skipping.preview,
      );
      this.skipping = undefined;
      return out;
    }
    if (this.carryLength === 0) return out;
    const data = Buffer.concat(this.carryParts);
    this.clearCarry();
    this.scan(data, this.position - data.length, out, true);
    return out;
  }

  private emitBad(
    out: Segment[],
    start: number,
    end: number,
    line: number,
    lines: number,
    problem: StructuralProblem,
    preview: Buffer,
  ): void {
    this.malformed++;
    this.records++;
    out.push({ kind: 'bad', start, end, line, lines, problem, preview });
  }

  private scan(data: Buffer, base: number, out: Segment[], final: boolean): void {
    let pos = 0;
    let goodStart = 0;
    let goodLine = this.line;
    let goodLines = 0;
    let goodRecords = 0;
    const flushGood = (end: number): void => {
      if (end > goodStart) {
        out.push({
          kind: 'good',
          bytes: data.subarray(goodStart, end),
          start: base + goodStart,
          firstLine: goodLine,
          lines: goodLines,
          records: goodRecords,
        });
      }
      goodLines = 0;
      goodRecords = 0;
    };
    // Text without quotes or NUL bytes: records are lines, found with one native search each.
    const simple = data.indexOf(QUOTE) === -1 && data.indexOf(NUL) === -1;
    let nul = simple ? -1 : data.indexOf(NUL);
    this.quoteFrom = Number.POSITIVE_INFINITY;
    if (simple) {
      // The common case inline, without a result object per line: every line a record unless empty
      // or over the limit (those fall through to the general loop below).
      const max = this.maxRecordBytes;
      const limit = Number.isFinite(this.segmentBytes) ? this.segmentBytes : Number.POSITIVE_INFINITY;
      for (let nl = data.indexOf(LF, pos); nl !== -1; nl = data.indexOf(LF, pos)) {
        const length = nl - pos;
        if (length > max) break;
        if (length > 0 && !(length === 1 && data[pos] === CR)) {
          goodRecords++;
          this.records++;
        }
        goodLines++;
        this.line++;
        pos = nl + 1;
        if (pos - goodStart >= limit) {
          flushGood(pos);
          goodStart = pos;
          goodLine = this.line;
        }
      }
    }
    while (pos < data.length) {
      const r = simple ? this.simpleRecord(data, pos, final) : this.record(data, pos, final);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'too-long') {
        flushGood(pos);
        const preview = Buffer.from(data.subarray(pos, pos + PREVIEW_BYTES));
        if (r.end === undefined) {
          // No line break yet: skip the line's bytes as they come, keeping none of them.
          this.skipping = { start: base + pos, line: this.line, preview };
          pos = data.length;
          goodStart = pos;
          break;
        }
        const lines = data[r.end - 1] === LF ? 1 : 0;
        this.emitBad(out, base + pos, base + r.end, this.line, lines, 'record-too-long', preview);
        this.line += lines;
        pos = r.end;
        goodStart = pos;
        goodLine = this.line;
        continue;
      }
      let problem: StructuralProblem | undefined = r.kind === 'bad' ? r.problem : undefined;
      if (!problem && nul !== -1 && nul < r.end) problem = 'null-byte';
      if (problem) {
        flushGood(pos);
        // A malformed record ends at the first line break after its start.
        const nl = data.indexOf(LF, pos);
        const end = nl === -1 || nl >= r.end ? r.end : nl + 1;
        const lines = data[end - 1] === LF ? 1 : 0;
        this.emitBad(
          out,
          base + pos,
          base + end,
          this.line,
          lines,
          problem,
          Buffer.from(data.subarray(pos, Math.min(end, pos + PREVIEW_BYTES))),
        );
        this.line += lines;
        pos = end;
        goodStart = pos;
        goodLine = this.line;
        if (nul !== -1 && nul < pos) nul = data.indexOf(NUL, pos);
        continue;
      }
      if (r.kind !== 'good') break;
      if (!r.empty) {
        goodRecords++;
        this.records++;
      }
      goodLines += r.lines;
      this.line += r.lines;
      pos = r.end;
      if (pos - goodStart >= this.segmentBytes) {
        flushGood(pos);
        goodStart = pos;
        goodLine = this.line;
      }
    }
    flushGood(pos);
    if (pos < data.length && !this.skipping) {
      const rest = Buffer.from(data.subarray(pos));
      this.carryParts = [rest];
      this.carryLength = rest.length;
      this.carryHasLf = rest.indexOf(LF) !== -1;
    }
  }

  /** `data.indexOf('"', i)`, searched again only once the last quote found is passed. */
  private nextQuote(data: Buffer, i: number): number {
    if (i < this.quoteFrom || (this.quoteAt !== -1 && this.quoteAt < i)) {
      this.quoteAt = data.indexOf(QUOTE, i);
      this.quoteFrom = i;
    }
    return this.quoteAt;
  }

  /** A record of text without quotes: one line. */
  private simpleRecord(data: Buffer, s: number, final: boolean): RecordScan {
    const nl = data.indexOf(LF, s);
    const lineLength = (nl === -1 ? data.length : nl) - s;
    if (lineLength > this.maxRecordBytes)
      return { kind: 'too-long', end: nl === -1 ? (final ? data.length : undefined) : nl + 1 };
    if (nl === -1) {
      if (!final) return { kind: 'incomplete' };
      return { kind: 'good', end: data.length, lines: 0, empty: isEmptyLine(data, s, data.length) };
    }
    return { kind: 'good', end: nl + 1, lines: 1, empty: isEmptyLine(data, s, nl) };
  }

  /** A record that may hold quotes or NUL bytes, by the grammar in the header comment. */
  private record(data: Buffer, s: number, final: boolean): RecordScan {
    const length = data.length;
    const firstNl = data.indexOf(LF, s);
    const firstLine = (firstNl === -1 ? length : firstNl) - s;
    if (firstLine > this.maxRecordBytes) {
      return { kind: 'too-long', end: firstNl === -1 ? (final ? length : undefined) : firstNl + 1 };
    }
    const limit = s + this.maxRecordBytes;
    const d = this.delimiter;
    // A malformed record ends at its first line break, which must have arrived.
    const malformed = (problem: StructuralProblem): RecordScan => {
      if (firstNl !== -1) return { kind: 'bad', end: firstNl + 1, problem };
      return final ? { kind: 'bad', end: length, problem } : { kind: 'incomplete' };
    };
    let i = s;
    let lines = 0;
    let fieldStart = true;
    // The record as if the stream ended here: quotes left open are unclosed.
    const unfinished = (): RecordScan => {
      if (length - s > this.maxRecordBytes || final) return malformed('unclosed-quote');
      return { kind: 'incomplete' };
    };
    for (;;) {
      if (i >= length) return final ? { kind: 'good', end: length, lines, empty: false } : unfinished();
      if (fieldStart && data[i] === QUOTE) {
        i++;
        for (;;) {
          const q = this.nextQuote(data, i);
          if (q === -1 || q >= limit) return unfinished();
          lines += countLf(data, i, q);
          if (q + 1 >= length) {
            if (final) {
              i = q + 1;
              break;
            }
            return unfinished();
          }
          if (data[q + 1] === QUOTE) {
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        if (i >= length) return { kind: 'good', end: length, lines, empty: false };
        const next = data[i];
        if (next === d) {
          i++;
          fieldStart = true;
          continue;
        }
        if (next === LF)
          return i + 1 - s > this.maxRecordBytes + 1
            ? malformed('unclosed-quote')
            : { kind: 'good', end: i + 1, lines: lines + 1, empty: false };
        if (next === CR) {
          fieldStart = false;
          continue;
        }
        return malformed('text-after-quote');
      }
      const nl = data.indexOf(LF, i);
      const qt = this.nextQuote(data, i);
      if (qt !== -1 && (nl === -1 || qt < nl)) {
        if (data[qt - 1] === d && qt > s) {
          i = qt;
          fieldStart = true;
          continue;
        }
        return malformed('stray-quote');
      }
      if (nl === -1) return final ? { kind: 'good', end: length, lines, empty: false } : unfinished();
      if (nl + 1 - s > this.maxRecordBytes + 1) return malformed('unclosed-quote');
      return { kind: 'good', end: nl + 1, lines: lines + 1, empty: isEmptyLine(data, s, nl) };
    }
  }
}

/** Whether [s, nl) is empty or a lone CR, as the parser skips it. */
function isEmptyLine(data: Buffer, s: number, nl: number): boolean {
  return nl === s || (nl === s + 1 && data[s] === CR);
}

function countLf(data: Buffer, from: number, to: number): number {
  let n = 0;
  for (let k = data.indexOf(LF, from); k !== -1 && k < to; k = data.indexOf(LF, k + 1)) n++;
  return n;
}

/** The delimiter of a header line: `;` unless `,` is more frequent (as `layoutFromHeader` decides). */
export function delimiterOf(header: Buffer): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  for (const b of header) {
    if (b === 0x3b) semicolons++;
    else if (b === 0x2c) commas++;
  }
  return semicolons >= commas ? ';' : ',';
}
