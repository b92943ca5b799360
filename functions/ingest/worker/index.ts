/** Lambda entry for the ingest worker function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
