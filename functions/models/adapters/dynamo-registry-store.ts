/**
 * RegistryStore on DynamoDB: the whole registry is one item (`id` = `registry`) with a revision
 * number, written only while the revision is still the one read (a conditional put), so that two
 * transitions made at once never both apply. DynamoDB Local stand-ins have no transactions, and one
 * item keeps the invariants (one deployed, one previous, one candidate) in a single write; at about
 * 2 KB a version with its history, an item holds some 200 versions within DynamoDB's 400 KB.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Registry } from '../domain/lifecycle';
import { EMPTY_REGISTRY, MODEL_ACTIONS, MODEL_STATES } from '../domain/lifecycle';
import type { RegistryStore, StoredRegistry } from '../domain/model-store';

const REGISTRY_ID = 'registry';

const actorSchema = z.object({ subject: z.string(), role: z.string() });
const recordSchema = z.object({
  version: z.string(),
  state: z.enum(MODEL_STATES),
  fileSha256: z.string(),
  bytes: z.number(),
  trainedOn: z.string(),
  metrics: z.record(z.string(), z.number()),
  registeredAt: z.string(),
  history: z.array(
    z.object({
      action: z.enum([...MODEL_ACTIONS, 'replaced', 'superseded', 'rolledBack']),
      from: z.enum(MODEL_STATES).nullable(),
      to: z.enum(MODEL_STATES),
      by: actorSchema,
      at: z.string(),
      reason: z.string().nullable(),
    }),
  ),
});
const itemSchema = z.object({
  id: z.literal(REGISTRY_ID),
  revision: z.number().int(),
  versions: z.record(z.string(), recordSchema),
});

export class StoredRegistryError extends Error {
  override readonly name = 'StoredRegistryError';
}

export class DynamoRegistryStore implements RegistryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<StoredRegistry> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { id: REGISTRY_ID }, ConsistentRead: true }),
    );
    if (!out.Item) return { registry: EMPTY_REGISTRY, revision: 0 };
    const parsed = itemSchema.safeParse(out.Item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new StoredRegistryError(
        `the model registry item of ${this.tableName} is malformed at ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return { registry: { versions: parsed.data.versions } as Registry, revision: parsed.data.revision };
  }

  async write(registry: Registry, revision: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: REGISTRY_ID, revision: revision + 1, versions: registry.versions },
          ConditionExpression: revision === 0 ? 'attribute_not_exists(id)' : 'revision = :revision',
          ...(revision === 0 ? {} : { ExpressionAttributeValues: { ':revision': revision } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
