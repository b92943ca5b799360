/**
 * cdk-nag's AwsSolutions pack must find nothing that is not acknowledged with a reason. The control
 * case proves the check can fail: an unencrypted, unlogged bucket added to the same stack is caught.
 */
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { addNagChecks } from '../../infra/nag';
import { buildStack } from './synth';

function synthErrors(mutate?: (stack: ReturnType<typeof buildStack>['stack']) => void): string {
  const { app, stack } = buildStack();
  mutate?.(stack);
  addNagChecks(app);
  try {
    app.synth();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('cdk-nag AwsSolutions', () => {
  it('passes with every finding acknowledged', () => {
    expect(synthErrors()).toBe('');
  });

  it('fails on a finding nobody acknowledged', () => {
    const message = synthErrors((stack) => {
      new s3.Bucket(stack, 'Careless');
    });
    expect(message).toMatch(/AwsSolutions-S(1|10)/);
  });
});
