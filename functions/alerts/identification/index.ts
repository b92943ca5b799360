/** Lambda entry for the function that identifies provisional children, traced and with its metrics. */
import { instrument } from '../../shared/adapters/tracing';
import { createHandler } from './app';

export const handler = instrument(createHandler(process.env));
