/** Lambda entry for the roster API function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
