/**
 * Tasks that must not overlap when they share a key: each runs once the previous task of its key
 * has settled (succeeded or failed), in the order they were handed in; tasks of different keys run
 * side by side. Used where a batch is processed in parallel but items about the same thing read and
 * then write the same state (two alerts about one child).
 */
export type InTurn = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function inTurnBy(): InTurn {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    // Forget the key once its last task has settled, so the map holds only keys still in use.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
