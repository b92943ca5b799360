/** Lambda entry for the alerts API function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
