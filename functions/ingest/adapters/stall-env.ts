/**
 * The stall threshold as the planner and the watchdog read it from their environment:
 * INGEST_STALL_MINUTES, minutes without progress after which an active run counts as stalled
 * (fractions allowed). Required: the system definition gives every function that reads it its value.
 */
import { z } from 'zod';

export const stallMinutesSchema = z.coerce.number().positive();
