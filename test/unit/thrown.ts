/**
 * The error `run` throws, when it is an instance of `type`: for tests that assert on an error's
 * fields (its problem code, the figures it names) rather than on its message alone. Any other error
 * is thrown on; no error at all fails the test.
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}
