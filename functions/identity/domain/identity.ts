/**
 * A child's personal data (RUN, names, address) as the identity store keeps it: one record per
 * source that named the child, keyed by pseudonym and source. Ingest writes the records of the
 * administrative sources once a run is accepted, alert intake what a reporter said of a child, and
 * the identity API reads them back; any other feature that needs personal data reads it through
 * this feature.
 */
import type { BirthDateRange, MatchRecord } from './matching';

/** The source that names the child: an administrative source id, or `alerta` for a reporter. */
export type IdentitySource = string;

/** The source id of what a reporter wrote in an alert. */
export const ALERT_SOURCE = 'alerta';

/** The source id of the record a merged provisional child keeps: the child it became. */
export const MERGED_SOURCE = 'fusion';

export interface IdentityRecord {
  readonly childId: string;
  /** Absent only for a child an alert named without RUN (a provisional child). */
  readonly run?: string;
  /** The comuna the source files the child under. */
  readonly comuna: string;
  readonly givenNames?: string;
  readonly paternalSurname?: string;
  readonly maternalSurname?: string;
  readonly address?: string;
  /** `yyyy-mm-dd`, where the source gives it. */
  readonly birthDate?: string;
  /** Years, as a reporter guessed them when the birth date was unknown (alerts only). */
  readonly approximateAge?: number;
  readonly source: IdentitySource;
  /** The cut (`yyyy-mm`) the record comes from; a later cut of a source replaces an earlier one. */
  readonly cut: string;
}

/** What a reporter said of the child in an alert. */
export type AlertIdentityRecord = IdentityRecord & { readonly source: typeof ALERT_SOURCE };

/** How many of the records handed to `IdentityStore.putAll` were written, and how many were not. */
export interface IdentityWriteCounts {
  readonly written: number;
  /**
   * Records not written because the store holds the child's record from the same source of a later
   * cut: an old cut uploaded late does not replace what is current.
   */
  readonly olderThanStored: number;
}

/** The identity store; each caller takes the part it needs (`Pick<IdentityStore, …>`). */
export interface IdentityStore {
  /**
   * Writes each record unless the store holds the same child and source from a later cut (a record
   * of the same or an earlier cut, or none, is replaced). Records are read as they are written, so
   * a stream of any length is held only a few at a time.
   */
  putAll(identities: Iterable<IdentityRecord> | AsyncIterable<IdentityRecord>): Promise<IdentityWriteCounts>;
  /** Records what a reporter said of the child unless an alert already did, without touching registry data. */
  putIfAbsent(identity: AlertIdentityRecord): Promise<void>;
  /** Every source's record of a child. */
  recordsOf(childId: string): Promise<readonly IdentityRecord[]>;
  /**
   * The records filed under `block` (`matching.ts`, `matchBlockOf`) with a birth date in the range,
   * for matching a child named without RUN.
   */
  matchRecords(block: string, range: BirthDateRange): Promise<readonly MatchRecord[]>;
  /**
   * Moves what alerts said of the provisional child `from` to the child `to` (kept unless `to` has
   * an alert's record already) and leaves on `from` only a record saying where it went.
   */
  mergeProvisional(from: string, to: string, at: string): Promise<void>;
  /** The child a provisional child was merged into, if it was. */
  mergedInto(childId: string): Promise<string | undefined>;
}
