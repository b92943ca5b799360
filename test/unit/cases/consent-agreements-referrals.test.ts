import { describe, expect, it } from 'vitest';
import type { Agreement } from '../../../functions/cases/domain/agreements';
import {
  agreementInputSchema,
  isOverdue,
  overdueAgreements,
} from '../../../functions/cases/domain/agreements';
import type { ConsentRecord } from '../../../functions/cases/domain/consent';
import {
  ConsentError,
  consentInForce,
  consentInputSchema,
  withdraw,
} from '../../../functions/cases/domain/consent';
import type { ReferralFacts, ReferralState } from '../../../functions/cases/domain/referrals';
import {
  checkReferralMove,
  PROGRAMS,
  REFERRAL_STATES,
  REFERRAL_TRANSITIONS,
  ReferralError,
  suggestPrograms,
} from '../../../functions/cases/domain/referrals';
import { thrownBy } from '../thrown';

const consent = (over: Partial<ConsentRecord> = {}): ConsentRecord => ({
  consentId: 'k-1',
  givenByRelation: 'madre',
  givenOn: '2026-11-10',
  purposes: ['intervencion'],
  signedDocumentRef: 'OLN-13101/2026/0042',
  recordedBy: 'gestor-1',
  recordedAt: '2026-11-10T15:00:00.000Z',
  ...over,
});

describe('consent', () => {
  it('covers the uses it names, from the day it was given until the day it is withdrawn', () => {
    const k = consent();
    expect(consentInForce([k], 'intervencion', '2026-11-09')).toBe(false);
    expect(consentInForce([k], 'intervencion', '2026-11-10')).toBe(true);
    expect(consentInForce([k], 'derivacion', '2026-11-20')).toBe(false);
    const withdrawn = withdraw(k, '2026-12-01', ' la madre retira su autorización por escrito ');
    expect(withdrawn).toMatchObject({
      withdrawnOn: '2026-12-01',
      withdrawalNote: 'la madre retira su autorización por escrito',
    });
    expect(consentInForce([withdrawn], 'intervencion', '2026-11-30')).toBe(true);
    expect(consentInForce([withdrawn], 'intervencion', '2026-12-01')).toBe(false);
    // A later consent for referrals restores that use alone.
    const later = consent({ consentId: 'k-2', givenOn: '2026-12-05', purposes: ['derivacion'] });
    expect(consentInForce([withdrawn, later], 'derivacion', '2026-12-06')).toBe(true);
    expect(consentInForce([withdrawn, later], 'intervencion', '2026-12-06')).toBe(false);
  });

  it('refuses a second withdrawal, a withdrawal before it was given, and one without a note', () => {
    const withdrawn = withdraw(consent(), '2026-12-01', 'nota');
    expect(thrownBy(ConsentError, () => withdraw(withdrawn, '2026-12-02', 'otra')).message).toContain(
      'ya fue retirado el 2026-12-01',
    );
    expect(thrownBy(ConsentError, () => withdraw(consent(), '2026-11-01', 'nota')).message).toContain(
      'dado el 2026-11-10',
    );
    expect(() => withdraw(consent(), '2026-12-01', '  ')).toThrow(ConsentError);
  });

  it('reads what is recorded, naming each field that is wrong', () => {
    expect(
      consentInputSchema.parse({
        givenByRelation: 'padre',
        givenOn: '2026-11-10',
        purposes: ['intervencion', 'derivacion'],
        signedDocumentRef: 'doc-1',
      }),
    ).toMatchObject({ purposes: ['intervencion', 'derivacion'] });
    const bad = consentInputSchema.safeParse({
      givenByRelation: 'vecino',
      givenOn: '10-11-2026',
      purposes: [],
      signedDocumentRef: '',
    });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'givenByRelation',
      'givenOn',
      'purposes',
      'signedDocumentRef',
    ]);
  });
});

describe('the mesa de casos follow-up matrix', () => {
  const agreement = (id: string, over: Partial<Agreement> = {}): Agreement => ({
    agreementId: id,
    caseId: 'c-1',
    sessionOn: '2026-11-05',
    agreement: 'Cupo en programa de reinserción educativa',
    institution: 'educacion',
    dueOn: '2026-11-30',
    status: 'pendiente',
    ...over,
  });

  it('marks an open agreement past its due date as overdue, and never a closed one', () => {
    expect(isOverdue(agreement('a'), '2026-11-30')).toBe(false);
    expect(isOverdue(agreement('a'), '2026-12-01')).toBe(true);
    expect(isOverdue(agreement('a', { status: 'en_curso' }), '2026-12-01')).toBe(true);
    expect(isOverdue(agreement('a', { status: 'cumplido' }), '2027-01-01')).toBe(false);
    expect(isOverdue(agreement('a', { status: 'no_cumplido' }), '2027-01-01')).toBe(false);
  });

  it('lists the overdue agreements, longest overdue first', () => {
    const list = [
      agreement('a', { dueOn: '2026-11-20' }),
      agreement('b', { dueOn: '2026-10-01' }),
      agreement('c', { dueOn: '2026-10-01', status: 'cumplido' }),
      agreement('d', { dueOn: '2027-01-01' }),
    ];
    expect(overdueAgreements(list, '2026-12-07').map((a) => a.agreementId)).toEqual(['b', 'a']);
  });

  it('takes an agreement with its institution and due date, pending unless told', () => {
    expect(
      agreementInputSchema.parse({ agreement: 'Hora en CESFAM', institution: 'salud', dueOn: '2026-12-20' })
        .status,
    ).toBe('pendiente');
    expect(
      agreementInputSchema
        .safeParse({ agreement: 'x', institution: 'iglesia', dueOn: '2026-12-20' })
        .error?.issues.map((i) => i.path[0]),
    ).toEqual(['agreement', 'institution']);
  });
});

describe('referrals to the program offer', () => {
  const facts = (over: Partial<ReferralFacts> = {}): ReferralFacts => ({
    ageYears: 10,
    rsh40: false,
    adultDeprivedOfLiberty: false,
    offender12m: false,
    schoolDisengaged: false,
    drugTreatment12m: false,
    mentalHealth12m: false,
    ...over,
  });

  it('suggests Abriendo Caminos when a significant adult is deprived of liberty, saying why', () => {
    expect(suggestPrograms(facts({ adultDeprivedOfLiberty: true }))).toEqual([
      {
        program: 'abriendo_caminos',
        name: 'Seguridades y Oportunidades: Abriendo Caminos',
        because: 'un adulto significativo está privado de libertad',
      },
    ]);
  });

  it('suggests only the programs whose target the data fits, and none that no source can tell', () => {
    expect(suggestPrograms(facts())).toEqual([]);
    expect(suggestPrograms(facts({ ageYears: 3, rsh40: true })).map((s) => s.program)).toEqual([
      'familias',
      'chile_crece_contigo',
    ]);
    expect(
      suggestPrograms(
        facts({
          ageYears: 15,
          offender12m: true,
          schoolDisengaged: true,
          drugTreatment12m: true,
          mentalHealth12m: true,
        }),
      ).map((s) => s.program),
    ).toEqual(['pie_24_horas', 'pde_24_horas', 'pdc_24_horas', 'salud_mental', 'tratamiento_drogas']);
    // Nobody's data says a child lives on the street: Calle is never suggested, only offered.
    const everything = facts({
      ageYears: 3,
      rsh40: true,
      adultDeprivedOfLiberty: true,
      offender12m: true,
      schoolDisengaged: true,
      drugTreatment12m: true,
      mentalHealth12m: true,
    });
    expect(suggestPrograms(everything).map((s) => s.program)).not.toContain('calle');
    expect(PROGRAMS).toContain('calle');
  });

  it('moves a referral only along its states, naming where it may go', () => {
    for (const from of REFERRAL_STATES) {
      for (const to of REFERRAL_STATES) {
        const allowed = REFERRAL_TRANSITIONS[from].includes(to);
        if (allowed) expect(() => checkReferralMove(from, to)).not.toThrow();
        else
          expect(thrownBy(ReferralError, () => checkReferralMove(from, to)).allowed).toEqual(
            REFERRAL_TRANSITIONS[from],
          );
      }
    }
    expect(thrownBy(ReferralError, () => checkReferralMove('enviada', 'atendida')).message).toContain(
      'puede pasar a: aceptada, rechazada, en lista de espera',
    );
    const closed: ReferralState[] = ['rechazada', 'atendida'];
    for (const s of closed)
      expect(thrownBy(ReferralError, () => checkReferralMove(s, 'aceptada')).message).toContain('cerrada');
  });
});
