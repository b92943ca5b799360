/**
 * The stall threshold as the planner and the watchdog read it from their environment:
 * INGEST_STALL_MINUTES, minutes without progress after which an active run counts as stalled
 * (fractions allowed), by default the system definition's.
 */
import { z } from 'zod';
import { INGEST_STALL_MINUTES } from '../../infra/system';

export const stallMinutesSchema = z.coerce.number().positive().default(INGEST_STALL_MINUTES);
