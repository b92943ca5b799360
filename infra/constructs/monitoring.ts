/**
 * The alarms: one CloudWatch alarm per entry of `system.alarms`, on the metric the functions count
 * in the `SAN` namespace (Powertools Metrics, EMF) for one value of its dimension; and, for
 * operating the system, one per dead-letter queue (a message set aside), per queue (its oldest
 * message waiting longer than `OLDEST_MESSAGE_FACTOR` visibility timeouts) and per function (an
 * error, a throttle). A period with no data point is not breaching: no report, no alarm.
 * `docs/operations.md` says what to do when each fires.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SystemDef } from '../system';
import { SanFunction } from './san-function';

/** A queue's oldest message may wait this many visibility timeouts before its alarm fires. */
export const OLDEST_MESSAGE_FACTOR = 2;

/** The namespace `functions/shared/adapters/observability.ts` publishes in. */
export const METRICS_NAMESPACE = 'SAN';

export interface MonitoringProps {
  readonly system: SystemDef;
  /** The queues and their dead-letter queues, by queue id. */
  readonly queues?: Readonly<Record<string, sqs.Queue>>;
  readonly deadLetterQueues?: Readonly<Record<string, sqs.Queue>>;
  /** Where the functions are (their `SanFunction` constructs are found under it). */
  readonly functionsScope?: Construct;
}

const pascal = (id: string): string => `${id.charAt(0).toUpperCase()}${id.slice(1)}`;

export class Monitoring extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const [alarmId, def] of Object.entries(props.system.alarms)) {
      alarms[alarmId] = new cloudwatch.Alarm(
        this,
        `${alarmId.charAt(0).toUpperCase()}${alarmId.slice(1)}Alarm`,
        {
          alarmDescription: def.description,
          metric: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: def.metric,
            dimensionsMap: { [def.dimension.name]: def.dimension.value, service: 'san' },
            statistic: 'Sum',
            period: Duration.minutes(def.periodMinutes),
          }),
          threshold: def.threshold,
          evaluationPeriods: def.evaluationPeriods,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      );
    }
    const operational = (
      id: string,
      alarmDescription: string,
      metric: cloudwatch.IMetric,
      threshold: number,
    ) => {
      alarms[id] = new cloudwatch.Alarm(this, `${pascal(id)}Alarm`, {
        alarmDescription,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    };
    for (const [queueId, dlq] of Object.entries(props.deadLetterQueues ?? {})) {
      operational(
        `${queueId}DeadLetters`,
        `Messages of the ${queueId} queue set aside in its dead-letter queue: read their reason, fix, then npm run san -- redrive ${queueId}`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        1,
      );
    }
    for (const [queueId, queue] of Object.entries(props.queues ?? {})) {
      const def = props.system.queues[queueId as keyof SystemDef['queues']];
      if (!def) continue;
      const limit = def.visibilityTimeoutSeconds * OLDEST_MESSAGE_FACTOR;
      operational(
        `${queueId}OldestMessage`,
        `The oldest message of the ${queueId} queue has waited over ${limit} s: its consumer is failing, throttled or behind`,
        queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        limit,
      );
    }
    if (props.functionsScope) {
      const functions = props.functionsScope.node
        .findAll()
        .filter((c): c is SanFunction => c instanceof SanFunction);
      for (const fn of functions) {
        // Unique and readable: the construct path without the stack, e.g. AlertsConsumerConsumer.
        const name = fn.node.path.split('/').slice(1).join('');
        operational(
          `${name}Errors`,
          `Function ${fn.node.path} failed an invocation: see its log group and, for a queue's consumer, the dead-letter queue`,
          fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          1,
        );
        operational(
          `${name}Throttles`,
          `Function ${fn.node.path} was throttled: the account's or its own concurrency is exhausted`,
          fn.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
          1,
        );
      }
    }
    this.alarms = alarms;
  }
}
