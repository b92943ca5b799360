/**
 * Where cases and caseloads are kept. A case is one record written only over the version it was
 * read at, so that two workers editing one case never lose an update; a worker's caseload is one
 * record per worker and comuna whose places are taken and given back one conditional write at a
 * time, so that the caps hold when assignments arrive at once (the local DynamoDB stand-in has no
 * transactions, and none is needed).
 */
import type { CaseRecord, VersionedCase } from './case';
import type { IntakeDecision } from './intake';

export interface CasePage {
  readonly cases: readonly VersionedCase[];
  /** Where the next page starts; absent on the last page. */
  readonly nextCursor?: string;
}

export interface CaseStore {
  get(caseId: string): Promise<VersionedCase | undefined>;
  /** Stores a new case at version 1; false when a case with its id exists. */
  create(record: CaseRecord): Promise<boolean>;
  /** Writes the case at `version + 1` if its stored version is still `version`; false otherwise. */
  update(record: CaseRecord, version: number): Promise<boolean>;
  /**
   * A comuna's cases, oldest first; with `state`, only those in it; with `worker`, only those whose
   * gestor or terapeuta it is. A page holds at most `limit` cases read (fewer once filtered).
   */
  listByComuna(comuna: string, page: CaseListQuery): Promise<CasePage>;
  /** The child's cases in every comuna, oldest first (their state and workers only). */
  casesOfChild(childId: string): Promise<readonly ChildCase[]>;
  /** The cases of the comuna that are on one of its waiting lists, oldest first. */
  waiting(comuna: string): Promise<readonly VersionedCase[]>;
}

export interface CaseListQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly state?: CaseRecord['state'];
  readonly worker?: string;
}

/** What the store gives of a child's case without reading the whole record. */
export interface ChildCase {
  readonly caseId: string;
  readonly comuna: string;
  readonly state: CaseRecord['state'];
  readonly gestor?: string;
  readonly terapeuta?: string;
}

/**
 * Where the coordinador's intake decisions are kept: one per child and entry into the nómina (the
 * moment it entered), so that a child is accepted or discarded once per entry, whoever decides it
 * first.
 */
export interface IntakeStore {
  /** Records the decision unless one exists for the same child and entry; false when one does. */
  record(decision: IntakeDecision): Promise<boolean>;
  /** The decision on the child's entry that began at `enteredAt`, if any. */
  get(comuna: string, childId: string, enteredAt: string): Promise<IntakeDecision | undefined>;
  /** Every decision of the comuna (for its rates and the entries still waiting for one). */
  all(comuna: string): Promise<readonly IntakeDecision[]>;
}

/** A worker whose caseload is capped. */
export interface CaseWorker {
  readonly role: 'gestor_casos' | 'terapeuta_familiar';
  readonly subject: string;
}

/** What a worker carries: the cases and, for a terapeuta's cap, the families they belong to. */
export interface Caseload {
  readonly cases: number;
  readonly families: number;
}

export type ClaimOutcome = { readonly claimed: true } | { readonly claimed: false; readonly load: Caseload };

export interface CaseloadStore {
  /**
   * Takes a place for `caseId` (of `family`) in the worker's caseload if the cap allows it: for a
   * gestor, fewer than `cap` cases; for a terapeuta, fewer than `cap` families, or a family they
   * already serve. Claiming a case the worker already carries is a claim that succeeds.
   */
  claim(
    comuna: string,
    worker: CaseWorker,
    caseId: string,
    family: string,
    cap: number,
  ): Promise<ClaimOutcome>;
  /** Gives the case's place back (the case ended, or went to another worker). */
  release(comuna: string, worker: CaseWorker, caseId: string, family: string): Promise<void>;
  load(comuna: string, worker: CaseWorker): Promise<Caseload>;
}
