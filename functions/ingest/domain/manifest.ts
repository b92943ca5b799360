/**
 * The manifest of a monthly cut (`extracts/<cut>/manifest.json`): the files the cut is made of,
 * with the source, size, row count and SHA-256 of each as uploaded. Ingest checks every file
 * against it, so that a truncated or substituted upload is refused instead of silently ingested.
 */
import { z } from 'zod';

export const manifestSchema = z.object({
  cut: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'cut must be yyyy-mm'),
  files: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z0-9_-]+\.csv(\.gz)?$/, 'a file name such as rsh.csv or salud.csv.gz'),
        source: z.string().min(1),
        rows: z.number().int().min(0),
        bytes: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .min(1),
});

export type CutManifest = z.infer<typeof manifestSchema>;

export const MANIFEST_NAME = 'manifest.json';

export interface ManifestCheck {
  readonly declared: boolean;
  readonly problems: readonly string[];
}

/** Compares what was read of a file with what the manifest declares for it. */
export function checkAgainstManifest(
  manifest: CutManifest | undefined,
  fileName: string,
  read: { rows: number; bytes: number; sha256: string },
): ManifestCheck {
  if (!manifest) return { declared: false, problems: [] };
  const entry = manifest.files.find((f) => f.name === fileName);
  if (!entry) return { declared: false, problems: [`el manifiesto del corte no declara ${fileName}`] };
  const problems: string[] = [];
  if (entry.rows !== read.rows)
    problems.push(`filas: el manifiesto declara ${entry.rows}, se leyeron ${read.rows}`);
  if (entry.bytes !== read.bytes)
    problems.push(`bytes: el manifiesto declara ${entry.bytes}, se subieron ${read.bytes}`);
  if (entry.sha256 !== read.sha256) problems.push('SHA-256 distinto al declarado en el manifiesto');
  return { declared: true, problems };
}
