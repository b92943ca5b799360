/** Lambda entry for the alert intake function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
