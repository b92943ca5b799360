/** Lambda entry for the identity API function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
