import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoRunStore } from '../../../functions/ingest/adapters/dynamo-run-store';

const ddb = mockClient(DynamoDBDocumentClient);
const store = new DynamoRunStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'runs',
);

describe('run store on DynamoDB, publishing', () => {
  beforeEach(() => ddb.reset());

  it('moves only a processing run without a failure to publishing, with its parts to publish', async () => {
    ddb.on(UpdateCommand).resolvesOnce({});
    expect(await store.startPublishing('r-1', 7)).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      Key: { runId: 'r-1' },
      ConditionExpression: '#status = :processing AND attribute_not_exists(failure)',
      ExpressionAttributeValues: { ':publishing': 'publishing', ':processing': 'processing', ':parts': 7 },
    });

    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store.startPublishing('r-1', 7)).toBe(false);
  });

  it('counts each published part once, and reads the count back', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { partsPublished: new Set(['0/0', '1/2']) } });
    expect(await store.partPublished('r-1', 1, 2)).toBe(2);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression: 'ADD #set :m SET updatedAt = :now',
      ExpressionAttributeNames: { '#set': 'partsPublished' },
      ExpressionAttributeValues: { ':m': new Set(['1/2']) },
    });

    ddb.on(GetCommand).resolves({
      Item: {
        runId: 'r-1',
        status: 'publishing',
        bucketsDone: new Set(['0', '1']),
        publishTotal: 3,
        partsPublished: new Set(['1/0']),
      },
    });
    expect(await store.get('r-1')).toMatchObject({
      status: 'publishing',
      bucketsDone: 2,
      publishTotal: 3,
      partsPublished: 1,
    });
  });
});
