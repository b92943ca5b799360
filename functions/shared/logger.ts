/** One Powertools logger per function, named after it; JSON lines, no personal data in messages. */
import { Logger } from '@aws-lambda-powertools/logger';

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logLevel: process.env.SAN_LOG_LEVEL === 'silent' ? 'SILENT' : 'INFO' });
}
