/** What the alert functions need; SQS and DynamoDB adapters implement these. */
import type { AlertMessage, StoredAlert } from './alert';

export interface AlertQueue {
  send(message: AlertMessage): Promise<void>;
}

export interface AlertStore {
  /** Stores the alert unless one with its id exists; says which happened. */
  create(alert: StoredAlert): Promise<'created' | 'exists'>;
  get(alertId: string): Promise<StoredAlert | undefined>;
  ofChild(childId: string): Promise<StoredAlert[]>;
}
