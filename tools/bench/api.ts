/**
 * `npm run bench:api`: requests per second and p50/p99 latency of the local API (the real gateway,
 * functions and DynamoDB stand-in of `npm start`) for a nómina page of 50, a child's roster entry,
 * a case read and a case transition, each beside the same server's not-found route measured in the
 * same run (the stack's own floor), on a generated comuna of 20,000 children and 2,000 cases, with
 * the DynamoDB requests each route makes and the CPU time each request costs in each process (the
 * system's, the DynamoDB stand-in's and the clients'), from which the requests per second the
 * machine's cores allow follow. The clients run in a process of their own. The comuna is written
 * through the roster's and the cases' own stores, as scoring and intake write it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoCaseStore } from '../../functions/cases/adapters/dynamo-case-store';
import { openCase } from '../../functions/cases/domain/case';
import { caseIdOf } from '../../functions/cases/domain/case-service';
import { DynamoRosterStore } from '../../functions/roster/adapters/dynamo-roster-store';
import type { Reason, ScoreUpdate } from '../../functions/roster/domain/roster';
import { capacityFor } from '../../functions/shared/domain/oln-capacity';
import { signToken } from '../../local/auth';
import { startLocalSystem } from '../../local/runtime';
import type { StoreUsage } from '../../local/stand-ins';
import { parseFlags, runMain } from '../lib/cli-args';

const schema = z.object({
  children: z.coerce.number().int().min(1_000).max(500_000).default(20_000),
  cases: z.coerce.number().int().min(100).max(50_000).default(2_000),
  clients: z.coerce.number().int().min(1).max(200).default(10),
  seconds: z.coerce.number().min(1).max(120).default(8),
});

const COMUNA = '13101';
const id = (n: number): string => `n-${String(n).padStart(22, '0')}`;

const REASONS: Reason[] = [
  {
    feature: 'asistencia_critica_3m',
    text: 'Asistencia escolar bajo 85 % en los últimos 3 meses',
    weight: 0.62,
    concerns: 'niño',
    source: 'educacion',
    cut: '2026-10',
    window: 'últimos 3 meses',
  },
  {
    feature: 'victima_24h_12m',
    text: 'Víctima en el programa 24 Horas en los últimos 12 meses',
    weight: 0.41,
    concerns: 'niño',
    source: 'policia',
    cut: '2026-10',
    window: 'últimos 12 meses',
  },
  {
    feature: 'hacinamiento_critico',
    text: 'Hacinamiento en el hogar (2,5 o más personas por dormitorio)',
    weight: 0.2,
    concerns: 'hogar',
    source: 'rsh',
    cut: '2026-10',
    window: 'ficha vigente',
  },
];

function child(n: number, children: number): ScoreUpdate {
  const probability = Math.round((1 - (n + 0.5) / children) * 1e6) / 1e6;
  return {
    childId: id(n),
    probability,
    ventile: Math.min(20, 1 + Math.floor(probability * 20)),
    reasons: REASONS,
    family: `h-${Math.floor(n / 2)}`,
    facts: {
      ageYears: n % 18,
      rsh40: n % 3 === 0,
      adultDeprivedOfLiberty: n % 50 === 0,
      offender12m: n % 40 === 0,
      schoolDisengaged: n % 7 === 0,
      drugTreatment12m: false,
      mentalHealth12m: n % 11 === 0,
    },
  };
}

interface Measured {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly storeRequests: number;
  /** CPU milliseconds per request: the system's process (gateway and functions), the DynamoDB
   * stand-in's process, and the load generator's process. */
  readonly cpuMs: { readonly system: number; readonly store: number; readonly clients: number };
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** The requests of one route: its URLs (taken in turn, or at random), method, headers and body. */
interface RouteLoad {
  readonly urls: readonly string[];
  /** Each URL once, in turn (a transition changes its case); otherwise at random, again and again. */
  readonly once: boolean;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly ok: number;
}

/**
 * The load generator, in a process of its own so that the clients neither share the event loop of
 * the system they measure nor hide their CPU time in its process: `clients` loops over one keep-alive
 * agent for `seconds`, each answer's latency kept, and the process's own CPU time answered with them.
 */
const LOAD_GENERATOR = `
const http = require('node:http');
const { performance } = require('node:perf_hooks');
process.once('message', async ({ load, clients, seconds }) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const call = (url) => new Promise((resolve, reject) => {
    const request = http.request(url, { method: load.method, headers: load.headers, agent }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(load.body);
  });
  const latencies = [];
  let errors = 0;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      let url;
      if (load.once) { url = load.urls[next++]; if (url === undefined) return; }
      else url = load.urls[Math.floor(Math.random() * load.urls.length)];
      const t = performance.now();
      const status = await call(url);
      latencies.push(performance.now() - t);
      if (status !== load.ok) errors++;
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  process.send({ latencies, errors, elapsed, cpuMs: (cpu.user + cpu.system) / 1000 }, () => process.exit(0));
});
`;

interface Generated {
  readonly latencies: number[];
  readonly errors: number;
  readonly elapsed: number;
  readonly cpuMs: number;
}

function generate(load: RouteLoad, clients: number, seconds: number): Promise<Generated> {
  return new Promise((resolve, reject) => {
    const generator = spawn(process.execPath, ['-e', LOAD_GENERATOR], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    generator.once('message', (answer) => resolve(answer as Generated));
    generator.once('error', reject);
    generator.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with code ${code}`));
    });
    generator.send({ load, clients, seconds });
  });
}

async function measure(
  clients: number,
  seconds: number,
  load: RouteLoad,
  storeUsage: () => Promise<StoreUsage>,
): Promise<Measured> {
  const storeBefore = await storeUsage();
  const cpuBefore = process.cpuUsage();
  const { latencies, errors, elapsed, cpuMs } = await generate(load, clients, seconds);
  const cpu = process.cpuUsage(cpuBefore);
  const storeAfter = await storeUsage();
  latencies.sort((a, b) => a - b);
  const count = Math.max(1, latencies.length);
  return {
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    errors,
    storeRequests: (storeAfter.requests - storeBefore.requests) / count,
    cpuMs: {
      system: (cpu.user + cpu.system) / 1000 / count,
      store: (storeAfter.cpuMs - storeBefore.cpuMs) / count,
      clients: cpuMs / count,
    },
  };
}

runMain(async () => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      children: { type: 'string', description: 'children on the comuna roster (default 20000)' },
      cases: {
        type: 'string',
        description: 'cases of the comuna, one per child from the top (default 2000)',
      },
      clients: { type: 'string', description: 'concurrent clients (default 10)' },
      seconds: { type: 'string', description: 'seconds per route (default 8)' },
    },
    schema,
    'npm run bench:api -- [--children 20000] [--cases 2000] [--clients 10] [--seconds 8]',
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'san-bench-api-'));
  const local = await startLocalSystem({ dataDir, port: 0, reset: true, log: () => {} });
  try {
    const db = DynamoDBDocumentClient.from(local.clients.dynamodb);
    const roster = new DynamoRosterStore(db, local.names.tables.roster);
    const cases = new DynamoCaseStore(db, local.names.tables.cases);
    const seedStart = performance.now();
    const run = {
      comuna: COMUNA,
      cut: '2026-10',
      runId: 'bench-run',
      modelVersion: 'bench',
      scoredAt: new Date().toISOString(),
    };
    const updates = Array.from({ length: flags.children }, (_, n) => child(n, flags.children));
    for (let i = 0; i < updates.length; i += 1000) await roster.writeScores(run, updates.slice(i, i + 1000));
    await roster.markHead(
      run,
      updates.slice(0, capacityFor(COMUNA, flags.children)).map((u) => u.childId),
    );
    await roster.completeRun({ ...run, scored: flags.children, inputs: 'bench' });
    await roster.removeStale(run);
    const caseIds: string[] = [];
    const by = { subject: 'bench-coordinador', role: 'coordinador' as const };
    for (let n = 0; n < flags.cases; n++) {
      const u = updates[n] as ScoreUpdate;
      const at = new Date().toISOString();
      const decision = {
        childId: u.childId,
        comuna: COMUNA,
        kind: 'aceptar' as const,
        reason: null,
        note: null,
        referralRequired: false,
        origin: 'predictivo' as const,
        probability: u.probability,
        ventile: u.ventile,
        modelVersion: 'bench',
        enteredAt: run.scoredAt,
        daysOnRoster: 0,
        by,
        at,
      };
      const caseId = caseIdOf(COMUNA, u.childId, run.scoredAt);
      await cases.create(openCase(decision, caseId, u.family));
      caseIds.push(caseId);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const auth = {
      authorization: `Bearer ${signToken(local.jwtKey, { sub: 'bench-coordinador', 'custom:role': 'coordinador', 'custom:comunas': COMUNA })}`,
    };
    const base = `${local.apiUrl}/v1/comunas/${COMUNA}`;
    const get = (urls: readonly string[]): RouteLoad => ({
      urls,
      once: false,
      method: 'GET',
      headers: auth,
      ok: 200,
    });
    // A cursor deep in the roster, as a client paging the nómina holds it.
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const body = (await (
        await fetch(`${base}/roster?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth })
      ).json()) as { nextCursor: string | null };
      cursor = body.nextCursor ?? undefined;
    }
    const children = Array.from({ length: 2_000 }, () => id(Math.floor(Math.random() * flags.children)));
    const routes: [string, RouteLoad][] = [
      [
        'not-found route (floor)',
        { urls: [`${local.apiUrl}/v1/no-such-route`], once: false, method: 'GET', headers: {}, ok: 404 },
      ],
      ['nómina, first page of 50', get([`${base}/roster?limit=50`])],
      ['nómina, 21st page of 50', get([`${base}/roster?limit=50&cursor=${cursor}`])],
      ['roster entry of a child', get(children.map((c) => `${base}/roster/${c}`))],
      ['case read', get(caseIds.map((c) => `${base}/cases/${c}`))],
      [
        'case transition',
        {
          urls: caseIds.map((c) => `${base}/cases/${c}/transitions`),
          once: true,
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', 'if-match': '"1"' },
          body: JSON.stringify({
            action: 'rechazar_por_familia',
            reason: 'la familia no acepta la intervención',
          }),
          ok: 200,
        },
      ],
    ];
    const results: [string, Measured][] = [];
    for (const [name, load] of routes) {
      // A short warm-up: the first invocation loads the function (a transition changes its case: none).
      if (!load.once) {
        for (const url of load.urls.slice(0, 5))
          await (await fetch(url, { headers: load.headers })).arrayBuffer();
      }
      results.push([name, await measure(flags.clients, flags.seconds, load, () => local.dynamodbUsage())]);
    }
    const floor = results[0]?.[1] as Measured;
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    console.log(
      `bench:api: ${flags.children.toLocaleString('en')} children, ${flags.cases.toLocaleString('en')} cases in comuna ${COMUNA} (seeded in ${seedSeconds.toFixed(0)} s); ` +
        `${flags.clients} concurrent clients, ${flags.seconds} s per route; ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()[0]?.toFixed(1)}; node ${process.version}`,
    );
    console.log(
      '| route | requests/s | p50 ms | p99 ms | DynamoDB requests per request | CPU ms per request: gateway and functions / store / clients | requests/s the cores allow | requests/s vs floor | errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const [name, m] of results) {
      const cpu = m.cpuMs.system + m.cpuMs.store + m.cpuMs.clients;
      console.log(
        `| ${name} | ${m.perSecond.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.storeRequests.toFixed(2)} | ${m.cpuMs.system.toFixed(2)} / ${m.cpuMs.store.toFixed(2)} / ${m.cpuMs.clients.toFixed(2)} | ${((cpus().length * 1000) / cpu).toFixed(0)} | ${(m.perSecond / floor.perSecond).toFixed(3)} | ${m.errors} |`,
      );
    }
    const failed = results.filter(([, m]) => m.errors > 0);
    if (failed.length > 0)
      throw new Error(`answers other than expected on: ${failed.map(([n]) => n).join(', ')}`);
  } finally {
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
