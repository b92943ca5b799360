/** Lambda entry for the quality API function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
