/**
 * Finding RUNs written in free text (an alert's description), which must not carry one: the child
 * goes in the request's `run` field, where it is pseudonymised. A false positive only asks the
 * reporter to rephrase; a false negative stores a RUN in free text. So the rule leans toward
 * catching:
 *
 * - **With a dash** before the check digit (`12.345.678-5`, `12345678-5`, `12 345 678 - 5`,
 *   `12.345.678–5`): a body of 7 or 8 digits, in groups separated by dots or single spaces or not
 *   at all, any dash (hyphen, non-breaking hyphen, figure dash, en and em dash, minus), spaces
 *   around it allowed, and a check digit 0–9 or K. Caught whatever the check digit, since a RUN
 *   mistyped by a digit is still a person's RUN. A 6-digit body (`123.456-0`) is caught only when
 *   its check digit is right, as such short forms also number other things.
 * - **Without separators** (`123456785`, `15000022K`): 7 to 9 characters, digits and a last
 *   digit or K, standing alone (not part of a longer number, not after a dot), caught when the last
 *   character is the check digit of the rest. One number in eleven passes that test by chance, so
 *   an ordinary number is refused only now and then. One exception: nine digits starting with 9
 *   are the shape of a Chilean mobile number (`912345678`), and a body of 90 million or more is
 *   far above any RUN issued, so those are let through.
 *
 * The text is read in Unicode compatibility form (NFKC), so that full-width digits count as digits.
 */
import { checkDigit } from '../../shared/domain/run';

const DASHES = '\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D';
const SPACE = '[ \\t\u00A0\u2007\u202F]';
const GROUP_SEPARATOR = `(?:\\.|${SPACE})?`;

/** A body of 6 to 8 digits in groups, a dash, and a check digit; captures the body and the digit. */
const DASHED = new RegExp(
  `(?<![\\d.])((?:\\d{1,2}${GROUP_SEPARATOR})?\\d{3}${GROUP_SEPARATOR}\\d{3})${SPACE}*[${DASHES}]${SPACE}*` +
    '(\\d(?!\\d)|[kK](?![\\p{L}\\d]))',
  'gu',
);

/** 6 to 8 digits and a check digit written right after them. */
const PLAIN = /(?<![\d.])(\d{6,8})(\d(?![\d]|[.,]\d)|[kK](?![\p{L}\d]))/gu;

const MOBILE_BODY = 90_000_000;

/** Whether `text` holds something written like a RUN (see the module comment for the rule). */
export function containsRun(text: string): boolean {
  const normalised = text.normalize('NFKC');
  for (const match of normalised.matchAll(DASHED)) {
    const digits = (match[1] ?? '').replace(/\D/g, '');
    if (digits.length >= 7) return true;
    if (checkDigit(Number(digits)) === (match[2] ?? '').toUpperCase()) return true;
  }
  for (const match of normalised.matchAll(PLAIN)) {
    const body = Number(match[1]);
    const dv = (match[2] ?? '').toUpperCase();
    const mobile = dv !== 'K' && body >= MOBILE_BODY;
    if (!mobile && checkDigit(body) === dv) return true;
  }
  return false;
}
