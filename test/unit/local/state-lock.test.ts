import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStateError } from '../../../local/local-tables';
import { startLocalSystem } from '../../../local/runtime';
import { LOCK_FILE, lockState } from '../../../local/state-lock';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A live process that is not this one, standing for another `npm start`. */
function otherProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describe('the local state folder lock', () => {
  it('refuses to start on a folder another live local system holds, before touching it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'san-lock-'));
    const pid = otherProcess();
    await writeFile(join(dir, LOCK_FILE), `${pid}\n`);
    const start = startLocalSystem({ dataDir: dir, port: 0, reset: true });
    await expect(start).rejects.toThrow(LocalStateError);
    await expect(start).rejects.toThrow(`in use by another local system (pid ${pid})`);
    // Not reset: the holder's lock is still there.
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(pid));
  });

  it('takes over a lock left by a process that is gone, and gives it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'san-lock-'));
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const gone = child.pid;
    await new Promise((done) => child.on('exit', done));
    await writeFile(join(dir, LOCK_FILE), `${gone}\n`);
    const unlock = await lockState(dir);
    expect((await readFile(join(dir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    await unlock();
    await expect(readFile(join(dir, LOCK_FILE), 'utf8')).rejects.toThrow();
  });
});
