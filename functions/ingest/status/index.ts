/** Lambda entry for the cuts (ingest progress) API function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
