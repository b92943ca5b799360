/**
 * The registry's use cases over in-memory stores, with the scorer's own file checks: a real model
 * file is registered and stored; a file whose weights were swapped under its version, a version
 * already registered with other bytes, and a stored file that is not the registered one are
 * refused, with nothing written; promotion reads the shadow reports on the current cut; a write
 * that lost a race is retried.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelGovernance } from '../../../functions/models/domain/governance';
import type { TransitionRequest } from '../../../functions/models/domain/lifecycle';
import { ModelRegistryError } from '../../../functions/models/domain/lifecycle';
import { ModelObjects, modelKeys, sha256Hex } from '../../../functions/models/domain/model-store';
import { inspectModelFile } from '../../../functions/score/adapters/model-file';
import { onnx } from '../../../functions/score/adapters/onnx-proto';
import { MemoryStore } from '../ingest/memory-ports';
import { MemoryRegistry } from './memory-registry';

const LAYER = readFileSync('layers/model/risk-model.onnx');
const LAYER_VERSION = inspectModelFile(LAYER).version;
const admin = (minute: number, reason?: string): TransitionRequest => ({
  by: { subject: 'ana', role: 'administrador_central' },
  at: `2026-11-10T10:${String(minute).padStart(2, '0')}:00.000Z`,
  ...(reason ? { reason } : {}),
});

/** The layer's model with one change made to its decoded protobuf. */
function edited(change: (model: ReturnType<typeof onnx.ModelProto.decode>) => void): Buffer {
  const model = onnx.ModelProto.decode(LAYER);
  change(model);
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

function setup() {
  const store = new MemoryRegistry();
  const bucket = new MemoryStore();
  const objects = new ModelObjects(bucket);
  const governance = new ModelGovernance({ store, objects, inspect: async (b) => inspectModelFile(b) });
  return { store, bucket, objects, governance };
}

async function refusal(action: Promise<unknown>): Promise<ModelRegistryError> {
  try {
    await action;
  } catch (error) {
    if (error instanceof ModelRegistryError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('model governance', () => {
  it('registers a file that passes the checks, storing it under its version with its hash', async () => {
    const { governance, bucket } = setup();
    const { record } = await governance.register(LAYER, admin(1));
    expect(record).toMatchObject({
      version: LAYER_VERSION,
      state: 'registered',
      fileSha256: sha256Hex(LAYER),
    });
    expect(bucket.objects.get(modelKeys.file(LAYER_VERSION))?.equals(LAYER)).toBe(true);
    expect((await governance.fileOf(record)).equals(LAYER)).toBe(true);
  });

  it('refuses a file whose weights were swapped under its version, storing and recording nothing', async () => {
    const { governance, bucket, store } = setup();
    const swapped = edited((m) => {
      const weights = m.graph?.initializer?.find((t) => t.name === 'weight_row')?.floatData;
      if (!weights?.length) throw new Error('no weight_row');
      weights[0] = (weights[0] as number) + 1;
    });
    const error = await refusal(governance.register(swapped, admin(1)));
    expect(error.problem).toBe('invalid');
    expect(error.message).toMatch(
      /^el archivo no pasa las comprobaciones del modelo: the model fails its weights hash check/,
    );
    expect(bucket.objects.size).toBe(0);
    expect(store.revision).toBe(0);
  });

  it('refuses a version already registered with other bytes, leaving the stored file as it was', async () => {
    const { governance, bucket } = setup();
    await governance.register(LAYER, admin(1));
    // Same graph and version, other metadata: it passes the checks but is not the registered file.
    const other = edited((m) => {
      const metrics = m.metadataProps?.find((p) => p.key === 'san.metrics');
      if (!metrics) throw new Error('no san.metrics');
      metrics.value = JSON.stringify({ auc: 0.99 });
    });
    expect(inspectModelFile(other).version).toBe(LAYER_VERSION);
    const error = await refusal(governance.register(other, admin(2)));
    expect(error.problem).toBe('conflict');
    expect(error.message).toMatch(
      new RegExp(`la versión ${LAYER_VERSION} ya está registrada con otro archivo`),
    );
    expect(bucket.objects.get(modelKeys.file(LAYER_VERSION))?.equals(LAYER)).toBe(true);
    // The same file again is the registered version, unchanged.
    expect((await governance.register(LAYER, admin(3))).record.history).toHaveLength(1);
  });

  it('refuses to hand out a stored file that is not the one its record names', async () => {
    const { governance, bucket } = setup();
    const { record } = await governance.register(LAYER, admin(1));
    bucket.objects.set(modelKeys.file(LAYER_VERSION), Buffer.concat([LAYER, Buffer.from([0])]));
    await expect(governance.fileOf(record)).rejects.toThrow(/no es el registrado/);
  });

  it('bootstraps an empty registry with the layer model as deployed, once', async () => {
    const { governance, store } = setup();
    const deployed = await governance.bootstrap(LAYER, '2026-11-10T09:00:00.000Z');
    expect(deployed).toMatchObject({ version: LAYER_VERSION, state: 'deployed' });
    expect(deployed.history[0]?.by).toEqual({ subject: 'sistema', role: 'sistema' });
    const revision = store.revision;
    expect((await governance.bootstrap(LAYER, '2026-11-10T09:05:00.000Z')).history).toHaveLength(1);
    expect(store.revision).toBe(revision);
  });

  it('promotes with the shadow reports of the current cut, read from the models bucket', async () => {
    const { governance, objects, store, bucket } = setup();
    // Deployed: a placeholder version; the layer model goes through shadow and approval.
    store.registry = {
      versions: {
        'logistic-1-aaaaaaaa': {
          version: 'logistic-1-aaaaaaaa',
          state: 'deployed',
          fileSha256: 'a'.repeat(64),
          bytes: 1,
          trainedOn: 'x',
          metrics: {},
          registeredAt: 'x',
          history: [],
        },
      },
    };
    await governance.register(LAYER, admin(1));
    await governance.shadow(LAYER_VERSION, admin(2));
    await governance.approve(LAYER_VERSION, admin(3, 'revisado por el comité'));
    await objects.markScored('2026-10', '13101', 'logistic-1-aaaaaaaa');
    await objects.markScored('2026-09', '08101', 'logistic-1-aaaaaaaa');
    const missing = await refusal(governance.promote(LAYER_VERSION, admin(4, 'sin informes aún')));
    expect(missing.message).toMatch(
      /falta su informe en sombra del corte vigente 2026-10 en las comunas 13101/,
    );
    bucket.objects.set(modelKeys.shadowReport(LAYER_VERSION, '2026-10', '13101'), Buffer.from('{}'));
    const { record } = await governance.promote(LAYER_VERSION, admin(5, 'informes en sombra revisados'));
    expect(record.state).toBe('deployed');
    const rolled = await governance.rollback(admin(6, 'volver por precaución'));
    expect(rolled.record).toMatchObject({ version: 'logistic-1-aaaaaaaa', state: 'deployed' });
  });

  it('retries a transition whose write lost a race, applying it to the registry as it then is', async () => {
    const { governance, store } = setup();
    await governance.register(LAYER, admin(1));
    store.conflicts = 2;
    const { record } = await governance.shadow(LAYER_VERSION, admin(2));
    expect(record.state).toBe('shadow');
    expect(store.registry.versions[LAYER_VERSION]?.history).toHaveLength(2);
  });
});
