/**
 * The one failure rule of a run, which the worker and the shuffle-format check share: the failure
 * is recorded, then finalize ends the run rejected with it.
 */
import { describe, expect, it } from 'vitest';
import { failRun } from '../../../../functions/ingest/domain/run/failure';
import { planRun } from '../../../../functions/ingest/domain/run/plan';
import { rawKeys } from '../../../../functions/ingest/domain/run/work-layout';
import { HEADER, harness, row } from './harness';

const text = `${HEADER}\n${row(24_000_001, 40, 'URBANA')}\n${row(24_000_002, 40, 'URBANA')}\n`;
const failure = { problem: 'processing-failed' as const, message: 'tarea chunk fallida: boom' };

describe('failing a run', () => {
  it('from a task, records the failure and queues finalize, which ends the run rejected', async () => {
    const { deps, upload, drain, queued } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const key = upload('rsh.csv', text);
    const plan = await planRun(deps, key);
    if (plan.status !== 'planned') throw new Error(plan.status);
    const before = queued();

    await failRun(deps, plan.runId, failure);

    expect(queued()).toBe(before + 1);
    expect(deps.runs.latest()?.status).toBe('processing');
    await drain();
    expect(deps.runs.latest()?.status).toBe('rejected');
    expect(deps.raw.json(rawKeys.report(key))).toMatchObject({ status: 'rejected', error: failure });
    expect([...deps.curated.objects.keys()].some((k) => k.endsWith('_SUCCESS.json'))).toBe(false);
  });

  it('from finalize itself, finalizes at once instead of queueing another finalize', async () => {
    const { deps, upload, queued } = harness({ chunkBytes: 1 << 20, reduceBytes: 1 << 20 });
    const key = upload('rsh.csv', text);
    const plan = await planRun(deps, key);
    if (plan.status !== 'planned') throw new Error(plan.status);
    const before = queued();

    await failRun(deps, plan.runId, failure, 'finalize');

    expect(queued()).toBe(before);
    expect(deps.runs.latest()?.status).toBe('rejected');
    expect(deps.raw.json(rawKeys.report(key))).toMatchObject({ status: 'rejected', error: failure });
  });
});
