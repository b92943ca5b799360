import { describe, expect, it } from 'vitest';
import { alertRequestSchema } from '../../../functions/alerts/domain/alert';
import { containsRun } from '../../../functions/alerts/domain/run-in-text';

const described = (description: string) =>
  alertRequestSchema.safeParse({
    run: '12.345.678-5',
    comuna: '13101',
    riskFactor: 'situacion_de_calle',
    description,
    reporter: { institution: 'CESFAM Santiago' },
  }).success;

describe('RUNs written in a description', () => {
  it.each([
    ['without separators', 'El niño 123456785 duerme en la plaza'],
    ['with spaces around the groups and the dash', 'El niño 12 345 678 - 5 duerme en la plaza'],
    ['with an en dash', 'El niño 12.345.678–5 duerme en la plaza'],
    ['with an em dash and K', 'La madre, 15.000.019—K, no responde'],
    ['with a non-breaking hyphen', 'RUN 12.345.678‑5 según la escuela'],
    ['dotted with a hyphen', 'El niño 12.345.678-5 presenta lesiones'],
    ['plain with a hyphen, even with a wrong check digit', 'Hermano 22222222-3 tampoco asiste'],
    ['a short body with its check digit', 'El abuelo (RUN 123.456-0) lo cuida'],
    ['without separators ending in K', 'Hermana 15000022K sin matrícula'],
    ['written with full-width digits', 'El niño １２３４５６７８５ duerme en la plaza'],
  ])('refuses one %s', (_, text) => {
    expect(containsRun(text)).toBe(true);
    expect(described(text)).toBe(false);
  });

  it.each([
    ['a date', 'Visto el 20-11-2026 y el 2026-11-21 cerca del liceo, también el 20.11.2026'],
    ['a short number', 'Tiene 3 hermanos, vive en el block 12345-6, depto 1234'],
    ['a mobile phone that is not a valid RUN', 'La madre atiende en el 912345678'],
    ['a mobile phone written as +56', 'Llamar al +56 9 1234 5678 o al +56912345678'],
    ['a mobile phone whose digits happen to end in a check digit', 'Teléfono 987654325'],
    ['an amount', 'El hogar recibe 1500000 pesos y debe $1.234.567'],
    ['a number whose last digit is not its check digit', 'Folio 20112027 del registro'],
  ])('accepts %s', (_, text) => {
    expect(containsRun(text)).toBe(false);
    expect(described(text)).toBe(true);
  });
});
