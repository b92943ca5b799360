/** Lambda entry for the roster snapshot function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
