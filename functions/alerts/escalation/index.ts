/** Lambda entry for the urgent-alert escalation function, traced and with its metrics. */
import { instrument } from '../../shared/adapters/tracing';
import { createHandler } from './app';

export const handler = instrument(createHandler(process.env));
