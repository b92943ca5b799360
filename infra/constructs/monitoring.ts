/**
 * The alarms of the system definition: one CloudWatch alarm per entry of `system.alarms`, on the
 * metric the functions count in the `SAN` namespace (Powertools Metrics, EMF) for one value of its
 * dimension. A period with no data point is not breaching: no report, no alarm.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { SystemDef } from '../system';

/** The namespace `functions/shared/adapters/observability.ts` publishes in. */
export const METRICS_NAMESPACE = 'SAN';

export interface MonitoringProps {
  readonly system: SystemDef;
}

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
    this.alarms = alarms;
  }
}
