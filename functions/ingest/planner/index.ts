/** Lambda entry for the ingest function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
