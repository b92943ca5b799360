/**
 * Decodes extract text by what its bytes are: a line that is valid UTF-8 is read as UTF-8, any
 * other line as Windows-1252 (Latin-1 with the printable 0x80–0x9F of Windows), so that a UTF-8
 * file with one Latin-1 line keeps both right instead of turning every accent into mojibake.
 * Text that is valid UTF-8 as a whole (all-ASCII or UTF-8 files) is decoded in one native call;
 * only pieces that fail are taken line by line.
 *
 * The file's encoding label is what most of its non-ASCII lines are; the lines in the other
 * encoding are counted and the first of them named, for the report.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

const LF = 0x0a;
/** Line numbers kept per kind, for the report. */
export const NAMED_LINES = 100;

export type Encoding = 'utf-8' | 'windows-1252';

/** Lines of each encoding, where a piece of text mixed them. */
export interface EncodingTally {
  /** Lines that are not valid UTF-8, read as Windows-1252. */
  windows1252Lines: number;
  windows1252At: number[];
  /** Valid non-ASCII UTF-8 lines in pieces that also held Windows-1252 lines. */
  utf8Lines: number;
  utf8At: number[];
  /** Whether any piece held non-ASCII valid UTF-8. */
  sawUtf8: boolean;
}

export function emptyEncodingTally(): EncodingTally {
  return { windows1252Lines: 0, windows1252At: [], utf8Lines: 0, utf8At: [], sawUtf8: false };
}

export function mergeEncodingTally(into: EncodingTally, from: EncodingTally): void {
  into.windows1252Lines += from.windows1252Lines;
  into.utf8Lines += from.utf8Lines;
  into.sawUtf8 ||= from.sawUtf8;
  for (const l of from.windows1252At) if (into.windows1252At.length < NAMED_LINES) into.windows1252At.push(l);
  for (const l of from.utf8At) if (into.utf8At.length < NAMED_LINES) into.utf8At.push(l);
}

/**
 * The file's label: UTF-8 unless more of its lines are Windows-1252 than are UTF-8 among the
 * pieces that mixed them (and no piece was UTF-8 as a whole).
 */
export function encodingOf(tally: EncodingTally): Encoding {
  if (tally.windows1252Lines === 0) return 'utf-8';
  return tally.windows1252Lines > tally.utf8Lines && !tally.sawUtf8 ? 'windows-1252' : 'utf-8';
}

/** What the report says of a file's encoding: its label and the lines read otherwise. */
export interface EncodingSummary {
  readonly detected: Encoding;
  /** Lines decoded in the other encoding than the label (each by what its bytes are). */
  readonly linesInOtherEncoding: number;
  /** The first of them. */
  readonly lines: readonly number[];
}

export function encodingSummary(tally: EncodingTally, label: Encoding): EncodingSummary {
  return label === 'utf-8'
    ? { detected: label, linesInOtherEncoding: tally.windows1252Lines, lines: [...tally.windows1252At] }
    : { detected: label, linesInOtherEncoding: tally.utf8Lines, lines: [...tally.utf8At] };
}

const WINDOWS_1252 = iconv.decode(Buffer.from(Array.from({ length: 256 }, (_, b) => b)), 'windows-1252');
const WINDOWS_1252_ONLY = new RegExp(
  `[${Array.from(WINDOWS_1252)
    .map((c, b) => (c.charCodeAt(0) === b ? '' : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('')}]`,
  'g',
);

/**
 * Windows-1252 as iconv-lite decodes it, one character per byte. Where it agrees with Latin-1
 * (everywhere but 0x80–0x9F) the bytes are read natively; the few others are then replaced.
 */
export function decodeWindows1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  WINDOWS_1252_ONLY.lastIndex = 0;
  return WINDOWS_1252_ONLY.test(latin1)
    ? latin1.replace(WINDOWS_1252_ONLY, (c) => WINDOWS_1252.charAt(c.charCodeAt(0)))
    : latin1;
}

/** One line (or a header) by what its bytes are. */
export function decodeLine(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : decodeWindows1252(bytes);
}

/**
 * Decodes whole lines (the piece ends at a line break, or at the end of the file), tallying the
 * lines of each encoding where the piece mixes them. `firstLine` is the piece's first physical line.
 */
export function decodeLines(bytes: Buffer, firstLine: number, tally: EncodingTally | undefined): string {
  if (isUtf8(bytes)) {
    if (tally && !tally.sawUtf8 && !isAscii(bytes)) tally.sawUtf8 = true;
    return bytes.toString('utf8');
  }
  // Mostly Windows-1252: decoded whole, one character per byte, then the lines that are valid
  // UTF-8 after all are decoded again as UTF-8 (Windows-1252 maps bytes to characters one to one,
  // so a line's bytes and its characters sit at the same offsets).
  const latin = decodeWindows1252(bytes);
  let text = '';
  let copied = 0;
  mixedLines(bytes, firstLine, tally, (piece, start, end) => {
    text += latin.slice(copied, start) + piece.toString('utf8');
    copied = end;
  });
  return copied === 0 ? latin : text + latin.slice(copied);
}

/** Tallies the lines of each encoding as `decodeLines` would, without decoding them. */
export function tallyLines(bytes: Buffer, firstLine: number, tally: EncodingTally): void {
  if (isUtf8(bytes)) {
    if (!tally.sawUtf8 && !isAscii(bytes)) tally.sawUtf8 = true;
    return;
  }
  mixedLines(bytes, firstLine, tally, () => undefined);
}

/**
 * Walks the lines of a piece that is not valid UTF-8 as a whole, tallying the non-ASCII ones by
 * encoding and handing over those that are valid UTF-8 (with their offsets in the piece).
 */
function mixedLines(
  bytes: Buffer,
  firstLine: number,
  tally: EncodingTally | undefined,
  onUtf8: (piece: Buffer, start: number, end: number) => void,
): void {
  let start = 0;
  let line = firstLine;
  while (start < bytes.length) {
    const nl = bytes.indexOf(LF, start);
    const end = nl === -1 ? bytes.length : nl + 1;
    const piece = bytes.subarray(start, end);
    if (!isAscii(piece)) {
      if (isUtf8(piece)) {
        onUtf8(piece, start, end);
        if (tally) {
          tally.utf8Lines++;
          if (tally.utf8At.length < NAMED_LINES) tally.utf8At.push(line);
        }
      } else if (tally) {
        tally.windows1252Lines++;
        if (tally.windows1252At.length < NAMED_LINES) tally.windows1252At.push(line);
      }
    }
    start = end;
    line++;
  }
}
