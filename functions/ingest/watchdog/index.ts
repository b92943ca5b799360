/** Lambda entry for the ingest watchdog. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
