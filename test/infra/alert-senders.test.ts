import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { checkExternalSenders } from '../../infra/constructs/data-stores';
import { buildStack } from './synth';

const KEY = 'san:alertSenders';
const SCHOOLS = {
  institution: 'Sistema de Escuelas',
  principalArn: 'arn:aws:iam::111122223333:role/san-alertas',
};

describe('institutions writing straight to the alerts queue', () => {
  it('grants each configured sender SendMessage on the alerts queue, and the data key through SQS only', () => {
    const template = Template.fromStack(buildStack({ [KEY]: [SCHOOLS] }).stack);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as {
      Properties: {
        PolicyDocument: { Statement: { Principal?: unknown; Action: unknown; Effect: string }[] };
      };
    }[];
    const granted = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => JSON.stringify(s.Principal ?? '').includes('111122223333'));
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl'] });
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as {
      Properties: { KeyPolicy: unknown };
    };
    const keyPolicy = JSON.stringify(key.Properties.KeyPolicy);
    expect(keyPolicy).toContain('arn:aws:iam::111122223333:role/san-alertas');
    expect(keyPolicy).toContain('kms:ViaService');
  });

  it('grants no one outside the stack without the context', () => {
    const template = Template.fromStack(buildStack().stack);
    expect(JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'))).not.toContain('111122223333');
  });

  it('refuses a malformed sender list with a readable error, from the context given as JSON text too', () => {
    expect(checkExternalSenders(JSON.stringify([SCHOOLS]), KEY)).toEqual([SCHOOLS]);
    expect(checkExternalSenders(undefined, KEY)).toEqual([]);
    expect(() => checkExternalSenders('{', KEY)).toThrow(`context ${KEY} is not JSON`);
    expect(() => checkExternalSenders({}, KEY)).toThrow('must be a list');
    expect(() => checkExternalSenders([{ principalArn: SCHOOLS.principalArn }], KEY)).toThrow(
      `${KEY}[0].institution`,
    );
    expect(() => checkExternalSenders([{ ...SCHOOLS, principalArn: '*' }], KEY)).toThrow(
      `${KEY}[0].principalArn`,
    );
    expect(() => buildStack({ [KEY]: [{ ...SCHOOLS, principalArn: 'arn:aws:iam::1:role/x' }] })).toThrow(
      'principalArn',
    );
  });
});
