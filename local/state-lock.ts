/**
 * One local system per state folder: dynalite's LevelDB files cannot be opened by two processes, and
 * a second `npm start` on the folder would otherwise die inside dynalite with a stack trace. The
 * running system writes its pid to `instance.pid`; a start that finds the pid of a live process
 * other than its own is refused with a message, and a pid left by a killed process is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStateError } from './local-tables';

export const LOCK_FILE = 'instance.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of another live local system using `dir`, if any. */
async function holderOf(dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  return isAlive(pid) ? pid : undefined;
}

/** Refuses when another live local system holds `dir`. */
export async function assertStateFree(dir: string): Promise<void> {
  const pid = await holderOf(dir);
  if (pid !== undefined) {
    throw new LocalStateError(
      `the state folder ${dir} is in use by another local system (pid ${pid}); stop it first, or pass --data-dir <other folder>`,
    );
  }
}

/** Takes `dir` for this process; the returned function gives it back. */
export async function lockState(dir: string): Promise<() => Promise<void>> {
  await assertStateFree(dir);
  const path = join(dir, LOCK_FILE);
  await writeFile(path, `${process.pid}\n`);
  return async () => {
    const pid = await readFile(path, 'utf8').catch(() => '');
    if (pid.trim() === String(process.pid)) await rm(path, { force: true });
  };
}
