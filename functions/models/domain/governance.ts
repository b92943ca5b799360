/**
 * The model registry's use cases: register a file, put a version in shadow, approve, promote, roll
 * back, and the bootstrap by which the layer's model becomes the deployed version of an empty
 * registry. Each reads the registry, applies one transition of the life cycle (`lifecycle.ts`) and
 * writes it back only over the revision it read, so that two concurrent requests never both win;
 * a file is stored before its record names it, so a record never points at a missing file.
 */
import type { ModelInfo } from '../../score/domain/model-info';
import type { ModelRecord, NewVersion, Registry, TransitionRequest } from './lifecycle';
import {
  addVersion,
  approve,
  candidateOf,
  deployedOf,
  ModelRegistryError,
  promote,
  rollback,
  toShadow,
} from './lifecycle';
import type { ModelObjects, RegistryStore } from './model-store';
import { sha256Hex } from './model-store';

/**
 * Checks a model file as the scorer does at load (format, metadata, feature contract, weights hash
 * against version, input width, ventile cut points) and answers what it declares; throws otherwise.
 */
export type ModelInspector = (bytes: Uint8Array) => Promise<ModelInfo>;

export interface GovernanceDeps {
  readonly store: RegistryStore;
  readonly objects: ModelObjects;
  readonly inspect: ModelInspector;
}

/** Largest model file the registry takes. */
export const MAX_MODEL_BYTES = 4 * 1024 ** 2;
const MAX_WRITE_ATTEMPTS = 5;

/** The registry's answer to a change: the version it concerns, as now recorded. */
export interface ChangeOutcome {
  readonly record: ModelRecord;
  readonly registry: Registry;
}

export class ModelGovernance {
  constructor(private readonly deps: GovernanceDeps) {}

  async registry(): Promise<Registry> {
    return (await this.deps.store.read()).registry;
  }

  async record(version: string): Promise<ModelRecord | undefined> {
    return (await this.registry()).versions[version];
  }

  /** Stores a checked file and registers its version; the same file again is answered as registered. */
  async register(bytes: Uint8Array, request: TransitionRequest): Promise<ChangeOutcome> {
    const version = await this.checked(bytes);
    // Refused before anything is stored: a version already registered with other bytes.
    const registry = await this.registry();
    addVersion(registry, 'register', version, request);
    if (!registry.versions[version.version]) await this.deps.objects.putFile(version.version, bytes);
    return this.change(version.version, (r) => addVersion(r, 'register', version, request));
  }

  /**
   * Records `bytes` (the layer's model) as the deployed version when the registry is empty, and
   * answers the deployed version. A registry that has one is left as it is.
   */
  async bootstrap(bytes: Uint8Array, at: string): Promise<ModelRecord> {
    const current = deployedOf(await this.registry());
    if (current) return current;
    const version = await this.checked(bytes);
    await this.deps.objects.putFile(version.version, bytes);
    const request: TransitionRequest = {
      by: { subject: 'sistema', role: 'sistema' },
      at,
      reason: 'modelo de la capa del sistema, desplegado al encontrar el registro vacío',
    };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const { registry, revision } = await this.deps.store.read();
      const deployed = deployedOf(registry);
      if (deployed) return deployed;
      const next = addVersion(registry, 'bootstrap', version, request);
      if (await this.deps.store.write(next, revision)) return next.versions[version.version] as ModelRecord;
    }
    throw new ModelRegistryError(
      'conflict',
      'el registro de modelos cambió varias veces seguidas; reintente',
    );
  }

  shadow(version: string, request: TransitionRequest): Promise<ChangeOutcome> {
    return this.change(version, (r) => toShadow(r, version, request));
  }

  approve(version: string, request: TransitionRequest): Promise<ChangeOutcome> {
    return this.change(version, (r) => approve(r, version, request));
  }

  async promote(version: string, request: TransitionRequest): Promise<ChangeOutcome> {
    const current = await this.deps.objects.currentCut();
    const reported = current ? await this.deps.objects.shadowComunas(version, current.cut) : [];
    const evidence = {
      currentCut: current?.cut,
      scoredComunas: current?.comunas ?? [],
      reportedComunas: reported,
    };
    return this.change(version, (r) => promote(r, version, request, evidence));
  }

  async rollback(request: TransitionRequest): Promise<ChangeOutcome> {
    let target: string | undefined;
    return this.change(
      () => target ?? '',
      (r) => {
        const next = rollback(r, request);
        target = deployedOf(next)?.version;
        return next;
      },
    );
  }

  /** The deployed version and the candidate scored in shadow, if any. */
  async scoringVersions(): Promise<{ deployed?: ModelRecord; candidate?: ModelRecord }> {
    const registry = await this.registry();
    const deployed = deployedOf(registry);
    const candidate = candidateOf(registry);
    return { ...(deployed ? { deployed } : {}), ...(candidate ? { candidate } : {}) };
  }

  /** A stored version's file, checked against the hash its record keeps. */
  async fileOf(record: ModelRecord): Promise<Buffer> {
    const bytes = await this.deps.objects.file(record.version);
    if (!bytes) {
      throw new ModelRegistryError(
        'not_found',
        `el archivo de la versión ${record.version} no está en el bucket de modelos`,
      );
    }
    const sha = sha256Hex(bytes);
    if (sha !== record.fileSha256) {
      throw new ModelRegistryError(
        'conflict',
        `el archivo guardado de la versión ${record.version} no es el registrado (SHA-256 ${sha.slice(0, 12)}…, registrado ${record.fileSha256.slice(0, 12)}…)`,
      );
    }
    return bytes;
  }

  private async checked(bytes: Uint8Array): Promise<NewVersion> {
    if (bytes.length === 0) throw new ModelRegistryError('invalid', 'el archivo del modelo está vacío');
    if (bytes.length > MAX_MODEL_BYTES) {
      throw new ModelRegistryError(
        'invalid',
        `el archivo del modelo tiene ${bytes.length} bytes; el máximo es ${MAX_MODEL_BYTES}`,
      );
    }
    let info: ModelInfo;
    try {
      info = await this.deps.inspect(bytes);
    } catch (error) {
      throw new ModelRegistryError(
        'invalid',
        `el archivo no pasa las comprobaciones del modelo: ${(error as Error).message}`,
      );
    }
    return {
      version: info.version,
      fileSha256: sha256Hex(bytes),
      bytes: bytes.length,
      trainedOn: info.trainedOn,
      metrics: info.metrics,
    };
  }

  private async change(
    version: string | (() => string),
    apply: (registry: Registry) => Registry,
  ): Promise<ChangeOutcome> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const { registry, revision } = await this.deps.store.read();
      const next = apply(registry);
      if (next === registry || (await this.deps.store.write(next, revision))) {
        const name = typeof version === 'function' ? version() : version;
        return { record: next.versions[name] as ModelRecord, registry: next };
      }
    }
    throw new ModelRegistryError(
      'conflict',
      'el registro de modelos cambió varias veces seguidas; reintente',
    );
  }
}
