/**
 * A streaming CSV record parser (RFC 4180: `"` quotes, `""` escapes, CRLF or LF line ends), written
 * for the ingest path's volume: a line without quotes is split in one native call; only records
 * with quotes go through the character-level state machine. Text arrives in pieces of any size;
 * each record comes out with the physical line it starts on. Empty lines are skipped (and counted).
 */

export interface ParsedRecord {
  readonly fields: string[];
  /** Physical line where the record starts, counting the first text pushed as `firstLine`. */
  readonly line: number;
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`línea ${line}: ${message}`);
  }
}

export class CsvRecordParser {
  private carry = '';
  /** Line of the next record, relative to the first text pushed (as syntax errors name it). */
  private line = 1;
  private readonly lineOffset: number;

  /**
   * @param firstLine the line number records get for the first text pushed (1 unless reading from
   *   inside a file); syntax errors still count from 1.
   */
  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
    firstLine = 1,
  ) {
    this.lineOffset = firstLine - 1;
  }

  /** Parses every complete record in `text` (plus what was carried); keeps an incomplete tail. */
  push(text: string, out: ParsedRecord[]): void {
    const data = this.carry.length > 0 ? this.carry + text : text;
    let pos = 0;
    const length = data.length;
    // The next quote at or after `pos` (-1: none left), searched again only once passed, so that
    // text without quotes is scanned once rather than once per line.
    let quote = data.indexOf('"');
    while (pos < length) {
      const newline = data.indexOf('\n', pos);
      if (newline === -1) break;
      if (quote !== -1 && quote < pos) quote = data.indexOf('"', pos);
      if (quote === -1 || quote > newline) {
        const end = newline > pos && data.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
        if (end > pos)
          out.push({ fields: data.slice(pos, end).split(this.delimiter), line: this.line + this.lineOffset });
        this.line++;
        pos = newline + 1;
        continue;
      }
      const parsed = this.quoted(data, pos);
      if (!parsed) break; // the record continues in text not yet received
      out.push({ fields: parsed.fields, line: this.line + this.lineOffset });
      this.line += parsed.lines;
      pos = parsed.next;
    }
    this.carry = data.slice(pos);
    if (this.carry.length > this.maxRecordChars) {
      throw new CsvSyntaxError(
        this.line,
        `registro de más de ${this.maxRecordChars} caracteres: comillas sin cerrar o línea demasiado larga`,
      );
    }
  }

  /** Parses the last record, which may lack a final line break. */
  end(out: ParsedRecord[]): void {
    if (this.carry.length === 0) return;
    const data = `${this.carry}\n`;
    this.carry = '';
    const quote = data.indexOf('"');
    if (quote === -1) {
      const body = data.slice(0, data.length - 1).replace(/\r$/, '');
      if (body.length > 0)
        out.push({ fields: body.split(this.delimiter), line: this.line + this.lineOffset });
      return;
    }
    const parsed = this.quoted(data, 0);
    if (!parsed) throw new CsvSyntaxError(this.line, 'comillas sin cerrar al final del archivo');
    out.push({ fields: parsed.fields, line: this.line + this.lineOffset });
  }

  /**
   * Parses one record that contains quotes, starting at `start`. Returns undefined when the record
   * is not complete in `data`.
   */
  private quoted(data: string, start: number): { fields: string[]; next: number; lines: number } | undefined {
    const fields: string[] = [];
    let field = '';
    let i = start;
    let lines = 1;
    let fieldStart = true;
    const d = this.delimiter.charCodeAt(0);
    for (;;) {
      if (i >= data.length) return undefined;
      const c = data.charCodeAt(i);
      if (fieldStart && c === 34) {
        // Quoted field: up to the closing quote that is not an escaped `""`.
        i++;
        for (;;) {
          const q = data.indexOf('"', i);
          if (q === -1) return undefined;
          const chunk = data.slice(i, q);
          for (let k = chunk.indexOf('\n'); k !== -1; k = chunk.indexOf('\n', k + 1)) lines++;
          field += chunk;
          if (q + 1 >= data.length) return undefined;
          if (data.charCodeAt(q + 1) === 34) {
            field += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const next = data.charCodeAt(i);
        if (next !== d && next !== 10 && next !== 13) {
          throw new CsvSyntaxError(
            this.line + lines - 1,
            'texto después de las comillas de cierre de un campo',
          );
        }
        fieldStart = false;
        continue;
      }
      if (c === d) {
        fields.push(field);
        field = '';
        fieldStart = true;
        i++;
        continue;
      }
      if (c === 13 && data.charCodeAt(i + 1) === 10) {
        i++;
        continue;
      }
      if (c === 10) {
        fields.push(field);
        return { fields, next: i + 1, lines };
      }
      if (c === 34)
        throw new CsvSyntaxError(this.line + lines - 1, 'comilla dentro de un campo sin comillas');
      field += data[i];
      fieldStart = false;
      i++;
    }
  }
}
