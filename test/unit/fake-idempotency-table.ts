/**
 * The idempotency table for unit tests: the four DynamoDB calls Powertools' persistence layer makes,
 * answered from memory with the condition DynamoDB applies to its PutItem (the key is free, its
 * record expired, or its in-progress mark expired). The integration tests run the real thing.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

type Item = Record<string, AttributeValue>;

export function fakeIdempotencyTable(mock: AwsClientStub<DynamoDBClient>): Map<string, Item> {
  const items = new Map<string, Item>();
  const idOf = (key: Item | undefined): string => key?.id?.S ?? '';
  mock.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    const id = idOf(input.Item);
    const old = items.get(id);
    if (old) {
      const now = Date.now();
      const expired = Number(old.expiration?.N) < now / 1000;
      const inProgressExpired =
        old.status?.S === 'INPROGRESS' &&
        old.in_progress_expiration !== undefined &&
        Number(old.in_progress_expiration.N) < now;
      if (!expired && !inProgressExpired) {
        throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: old });
      }
    }
    items.set(id, input.Item);
    return {};
  });
  mock.on(GetItemCommand).callsFake((input: { Key: Item }) => ({ Item: items.get(idOf(input.Key)) }));
  mock.on(DeleteItemCommand).callsFake((input: { Key: Item }) => {
    items.delete(idOf(input.Key));
    return {};
  });
  mock
    .on(UpdateItemCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeNames: Record<string, string>;
        ExpressionAttributeValues: Item;
      }) => {
        const id = idOf(input.Key);
        const item: Item = { ...(items.get(id) ?? input.Key) };
        for (const assignment of input.UpdateExpression.replace(/^SET /, '').split(', ')) {
          const [name = '', value = ''] = assignment.split(' = ');
          const attribute = input.ExpressionAttributeNames[name];
          const given = input.ExpressionAttributeValues[value];
          if (attribute && given) item[attribute] = given;
        }
        items.set(id, item);
        return {};
      },
    );
  return items;
}
