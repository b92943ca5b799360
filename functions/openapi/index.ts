/** Lambda entry for the OpenAPI document function. */
import { createHandler } from './app';

export const handler = createHandler(process.env);
