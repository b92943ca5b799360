/**
 * The models bucket, through the object storage port: each registered version's file, the shadow
 * reports scoring writes for the candidate, and a marker per comuna and cut scored by the deployed
 * version (what "the current cut" of a promotion is). The registry's records live in their own
 * table (`RegistryStore`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ObjectStore } from '../../shared/domain/object-store';
import type { Registry } from './lifecycle';
import type { ShadowReport } from './shadow-report';
import { shadowReportSchema } from './shadow-report';

export const modelKeys = {
  file: (version: string): string => `files/${version}.onnx`,
  shadowCutPrefix: (version: string, cut: string): string => `shadow/version=${version}/cut=${cut}/`,
  shadowReport: (version: string, cut: string, comuna: string): string =>
    `shadow/version=${version}/cut=${cut}/comuna=${comuna}.json`,
  scoredPrefix: 'scored/',
  scoredCutPrefix: (cut: string): string => `scored/cut=${cut}/`,
  scored: (cut: string, comuna: string): string => `scored/cut=${cut}/comuna=${comuna}.json`,
};

/** The registry's records with the revision they were read at, for an optimistic write. */
export interface StoredRegistry {
  readonly registry: Registry;
  readonly revision: number;
}

/** Where the registry's records are kept (one document, written only over the revision read). */
export interface RegistryStore {
  read(): Promise<StoredRegistry>;
  /** Writes the registry if its stored revision is still `revision`; false when another write came first. */
  write(registry: Registry, revision: number): Promise<boolean>;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const scoredSchema = z.object({ comuna: z.string(), cut: z.string(), modelVersion: z.string() });

/** The models bucket: files, shadow reports, scored markers. */
export class ModelObjects {
  constructor(private readonly store: ObjectStore) {}

  async putFile(version: string, bytes: Uint8Array): Promise<void> {
    await this.store.putBytes(modelKeys.file(version), Buffer.from(bytes));
  }

  async file(version: string): Promise<Buffer | undefined> {
    const body = await this.store.open(modelKeys.file(version));
    if (!body) return undefined;
    const parts: Buffer[] = [];
    for await (const part of body) parts.push(Buffer.from(part as Buffer));
    return Buffer.concat(parts);
  }

  async putShadowReport(report: ShadowReport): Promise<void> {
    await this.store.putJson(modelKeys.shadowReport(report.shadowVersion, report.cut, report.comuna), report);
  }

  shadowReport(version: string, cut: string, comuna: string): Promise<ShadowReport | undefined> {
    return this.store.getJson(modelKeys.shadowReport(version, cut, comuna), shadowReportSchema);
  }

  /** Comunas with a shadow report of the version on the cut. */
  async shadowComunas(version: string, cut: string): Promise<string[]> {
    return (await this.store.list(modelKeys.shadowCutPrefix(version, cut)))
      .map((key) => /comuna=(\d{5})\.json$/.exec(key)?.[1])
      .filter((c): c is string => c !== undefined);
  }

  async markScored(cut: string, comuna: string, modelVersion: string): Promise<void> {
    await this.store.putJson(modelKeys.scored(cut, comuna), { comuna, cut, modelVersion });
  }

  /** The latest cut scored by the deployed version, and its comunas. */
  async currentCut(): Promise<{ cut: string; comunas: string[] } | undefined> {
    const keys = await this.store.list(modelKeys.scoredPrefix);
    const cuts = keys
      .map((key) => /^scored\/cut=(\d{4}-\d{2})\//.exec(key)?.[1])
      .filter((c): c is string => c !== undefined)
      .sort();
    const cut = cuts[cuts.length - 1];
    if (!cut) return undefined;
    const comunas = keys
      .filter((key) => key.startsWith(modelKeys.scoredCutPrefix(cut)))
      .map((key) => /comuna=(\d{5})\.json$/.exec(key)?.[1])
      .filter((c): c is string => c !== undefined);
    return { cut, comunas };
  }

  scoredMarker(cut: string, comuna: string): Promise<z.infer<typeof scoredSchema> | undefined> {
    return this.store.getJson(modelKeys.scored(cut, comuna), scoredSchema);
  }
}
