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

/** What the manifest check of one file compared, and what disagreed: in the plan and the report. */
export const manifestCheckSchema = z.object({
  /** The manifest's object key. */
  key: z.string(),
  /** Whether the manifest declares the file. */
  declared: z.boolean(),
  /** What was compared: `corte`, `fuente`, `bytes`, `sha256`, `filas`. */
  checked: z.array(z.string()),
  problems: z.array(z.string()),
});
export type ManifestCheck = Readonly<z.infer<typeof manifestCheckSchema>>;

/** The cut's manifest as found: absent, unreadable (with why), or parsed. */
export type ManifestLookup =
  | { readonly status: 'missing' }
  | { readonly status: 'invalid'; readonly message: string }
  | { readonly status: 'found'; readonly manifest: CutManifest };

/** The manifest's entry for a file, and what of its cut and source already disagrees. */
export function manifestEntry(
  manifest: CutManifest,
  file: { name: string; cut: string; source: string },
): { entry?: CutManifest['files'][number]; problems: string[] } {
  const problems: string[] = [];
  if (manifest.cut !== file.cut) {
    problems.push(
      `el manifiesto es del corte ${manifest.cut} y el archivo está en la carpeta del corte ${file.cut}`,
    );
  }
  const entry = manifest.files.find((f) => f.name === file.name);
  if (!entry) {
    problems.push(`el manifiesto del corte no declara ${file.name}`);
    return { problems };
  }
  if (entry.source !== file.source) {
    problems.push(`el manifiesto declara ${file.name} como fuente "${entry.source}", no "${file.source}"`);
  }
  return { entry, problems };
}

/**
 * Compares a file with the cut's manifest: its cut and source, and its size, SHA-256 (as uploaded)
 * and row count. The answer names every item compared.
 */
export function checkAgainstManifest(
  manifest: CutManifest,
  key: string,
  file: { name: string; cut: string; source: string },
  read: { rows: number; bytes: number; sha256: string },
): ManifestCheck {
  const { entry, problems } = manifestEntry(manifest, file);
  if (!entry) return { key, declared: false, checked: ['corte', 'fuente'], problems };
  if (entry.rows !== read.rows)
    problems.push(`filas: el manifiesto declara ${entry.rows}, se leyeron ${read.rows}`);
  if (entry.bytes !== read.bytes)
    problems.push(`bytes: el manifiesto declara ${entry.bytes}, se subieron ${read.bytes}`);
  if (entry.sha256 !== read.sha256) problems.push('SHA-256 distinto al declarado en el manifiesto');
  return { key, declared: true, checked: ['corte', 'fuente', 'bytes', 'sha256', 'filas'], problems };
}
