/**
 * One Powertools logger per function, named after it. Structured JSON lines; messages and fields
 * never carry personal data (pseudonyms and counts only). Level from POWERTOOLS_LOG_LEVEL.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
