/**
 * A family's access report for a data-subject request under Ley 21.719: for each of its children,
 * every request for the child's personal data (what was asked for: RUN, names and address), who
 * made it and in which role, when, in which comuna, for which stated purpose, and whether it was
 * answered. Built from the access log, which holds pseudonyms only; the answer names each child by
 * its position in the request and the last digits of its RUN, so that the report can go back to
 * the family without carrying more of the RUN than they gave. Plain functions over plain data.
 */
import type { Run } from '../../shared/domain/run';
import type { AccessLogEntry, AccessOutcome, AccessPurpose } from './access';

export const PURPOSE_LABELS: Readonly<Record<AccessPurpose, string>> = {
  contacto_familia: 'contactar a la familia',
  evaluacion_caso: 'evaluar el caso',
  derivacion: 'derivar a un programa',
  verificacion_alerta: 'verificar una alerta',
};

export const OUTCOME_LABELS: Readonly<Record<AccessOutcome, string>> = {
  granted: 'se entregaron los datos',
  denied: 'rechazada: no se entregó nada',
  not_found: 'sin datos en esa comuna: no se entregó nada',
  invalid_request: 'solicitud inválida: no se entregó nada',
};

/** The RUN with all but its last three digits and check digit hidden: `**.***.222-2`. */
export function maskedRun(run: Run): string {
  const digits = String(run.body);
  const tail = digits.slice(-3);
  return `**.***.${tail.padStart(3, '*')}-${run.dv}`;
}

export interface FamilyReportChild {
  readonly position: number;
  readonly run: string;
  readonly childId: string;
  readonly entries: readonly AccessLogEntry[];
}

/** The report's text, in Spanish, for the family: one paragraph per child and one line per request. */
export function familyReportText(
  children: readonly FamilyReportChild[],
  period: { readonly from?: string; readonly to?: string },
  generatedAt: string,
): string {
  const span =
    period.from || period.to
      ? ` entre el ${period.from ?? 'inicio del registro'} y el ${period.to ?? generatedAt.slice(0, 10)}`
      : '';
  const lines = [
    `Informe de accesos a datos personales (Ley 21.719), emitido el ${generatedAt.slice(0, 10)}.`,
    `Registra cada solicitud del RUN, nombres y domicilio de los niños, niñas o adolescentes indicados${span}, respondida o no.`,
  ];
  for (const c of children) {
    const granted = c.entries.filter((e) => e.outcome === 'granted').length;
    lines.push('');
    lines.push(
      `Niño, niña o adolescente ${c.position} (RUN ${c.run}): ${c.entries.length} solicitud(es), ${granted} con entrega de datos.`,
    );
    for (const e of c.entries) {
      const when = (e.at.split('#')[0] ?? e.at).replace('T', ' ').slice(0, 16);
      lines.push(
        `- ${when} UTC: ${e.role ?? 'rol desconocido'} ${e.subject ?? '(sin usuario)'}` +
          `${e.comuna ? `, comuna ${e.comuna}` : ''}, para ${e.purpose ? PURPOSE_LABELS[e.purpose] : 'un propósito no declarado'}: ${OUTCOME_LABELS[e.outcome]}.`,
      );
    }
  }
  return lines.join('\n');
}
