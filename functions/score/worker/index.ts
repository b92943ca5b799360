/** Lambda entry for the score function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
