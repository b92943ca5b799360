/** Lambda entry for the alert consumer function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
