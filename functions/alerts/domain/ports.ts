/** What the alert functions need; SQS and DynamoDB adapters implement these. */
import type { IdentityRecord } from '../../ingest/domain/ingest-extract';
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

export interface AlertIdentityStore {
  /** Records what the reporter said of the child, without overwriting registry data. */
  putIfAbsent(
    identity: Omit<IdentityRecord, 'source' | 'cut'> & { source: 'alerta'; cut: string },
  ): Promise<void>;
}
