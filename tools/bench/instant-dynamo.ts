/**
 * A stand-in for DynamoDB that answers every request at once with an empty success (`{}`), in a
 * process of its own. Writing through it measures what the SDK costs the writing process per call
 * (serialising, signing, parsing the answer) without the network's latency. The stand-in's own CPU
 * is not counted in the writer's.
 */
import { spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const SERVER = `
require('node:http')
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  })
  .listen(0, '127.0.0.1', function () {
    process.stdout.write(this.address().port + '\\n');
  });
`;

export interface InstantDynamo {
  readonly client: DynamoDBDocumentClient;
  stop(): void;
}

/** Starts the stand-in and returns a document client for it, configured as the functions' is. */
export async function startInstantDynamo(): Promise<InstantDynamo> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return {
    client,
    stop: () => {
      client.destroy();
      server.kill();
    },
  };
}
