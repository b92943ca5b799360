/** IdentityStore on DynamoDB: personal data keyed by pseudonym, written in batches of 25. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentityRecord } from '../domain/ingest-extract';
import type { IdentityStore } from '../domain/ports';

const BATCH = 25;
const MAX_ATTEMPTS = 8;

export class DynamoIdentityStore implements IdentityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putAll(identities: readonly IdentityRecord[]): Promise<void> {
    for (let i = 0; i < identities.length; i += BATCH) {
      let requests = identities.slice(i, i + BATCH).map((item) => ({ PutRequest: { Item: { ...item } } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`identity writes still unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }
}
