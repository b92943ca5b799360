import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/roster/api/app';
import { HttpError, principalOf } from '../../../functions/shared/adapters/http';
import { isAllowed, scopeComunas } from '../../../functions/shared/domain/access';
import { context, fixture } from '../fixtures';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
const withClaims = (role: string, comunas: string): Event => {
  const event = fixture<Event>('http-get-roster.json');
  event.requestContext.authorizer.jwt.claims = { sub: 'u-1', 'custom:role': role, 'custom:comunas': comunas };
  return event;
};
const refusal = (event: Event): HttpError | undefined => {
  try {
    principalOf(event);
    return undefined;
  } catch (error) {
    return error as HttpError;
  }
};

describe('the comunas a token names', () => {
  it.each(['coordinador', 'gestor_casos', 'terapeuta_familiar', 'gestor_comunitario', 'sectorialista'])(
    'refuses "*" for %s with 403, saying that the role must name its comunas',
    (role) => {
      const error = refusal(withClaims(role, '*'));
      expect(error).toBeInstanceOf(HttpError);
      expect(error?.status).toBe(403);
      expect(error?.code).toBe('invalid_scope');
      expect(error?.message).toContain(`el rol ${role} debe indicar sus comunas`);
      expect(error?.message).toContain('coordinador_regional y administrador_central');
    },
  );

  it('accepts "*" for regional and national roles, and named comunas for every role', () => {
    expect(principalOf(withClaims('administrador_central', '*')).comunas).toBe('*');
    expect(principalOf(withClaims('coordinador_regional', ' * ')).comunas).toBe('*');
    expect(principalOf(withClaims('coordinador', '13101, 13110')).comunas).toEqual(['13101', '13110']);
  });

  it('refuses a token that names no comuna at all', () => {
    const error = refusal(withClaims('coordinador', ' , '));
    expect(error?.status).toBe(403);
    expect(error?.message).toContain('no indica ninguna comuna');
  });

  it('never lets "*" reach every comuna for an OLN role, even past the edge', () => {
    const principal = { subject: 'c', role: 'coordinador' as const, comunas: '*' as const };
    expect(isAllowed(principal, 'roster:read', '13101')).toBe(false);
    expect(isAllowed({ ...principal, role: 'coordinador_regional' }, 'roster:read', '13101')).toBe(true);
  });

  it('answers 403 to a coordinador token with "*" at the roster route', async () => {
    const handler = createHandler({ AWS_REGION: 'us-east-1', ROSTER_TABLE: 'roster' });
    const response = (await handler(
      withClaims('coordinador', '*'),
      context,
    )) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body ?? '{}').error.code).toBe('invalid_scope');
  });
});

describe('a coordinador regional scoped by region', () => {
  const withRegions = (role: string, regions: string, comunas?: string): Event => {
    const event = fixture<Event>('http-get-roster.json');
    event.requestContext.authorizer.jwt.claims = {
      sub: 'u-2',
      'custom:role': role,
      'custom:regions': regions,
      ...(comunas !== undefined ? { 'custom:comunas': comunas } : {}),
    };
    return event;
  };

  it('reaches every comuna of its regions (the CUT’s first two digits), and its named comunas, nothing else', () => {
    const principal = principalOf(withRegions('coordinador_regional', '13, 08', '05701'));
    expect(principal.regions).toEqual(['13', '08']);
    // Puente Alto (13201) and Talcahuano (08110): no list names them, their regions do.
    for (const comuna of ['13101', '13201', '08110', '05701'])
      expect(isAllowed(principal, 'roster:read', comuna), comuna).toBe(true);
    for (const comuna of ['05101', '16107', '01101'])
      expect(isAllowed(principal, 'roster:read', comuna), comuna).toBe(false);
    // Regions alone: the comunas claim may be left out.
    const regionOnly = principalOf(withRegions('coordinador_regional', '16'));
    expect(isAllowed(regionOnly, 'roster:read', '16107')).toBe(true);
    expect(isAllowed(regionOnly, 'roster:read', '13101')).toBe(false);
    const scope = scopeComunas(regionOnly);
    expect(Array.isArray(scope) && scope.length).toBe(21);
  });

  it('refuses regions to any other role, and a code that is no region of Chile', () => {
    const other = refusal(withRegions('coordinador', '13', '13101'));
    expect(other?.code).toBe('invalid_scope');
    expect(other?.message).toContain('el rol coordinador no puede tener regiones');
    expect(refusal(withRegions('coordinador_regional', '99'))?.message).toContain(
      '"99" no es el código de una región',
    );
    expect(refusal(withRegions('coordinador_regional', '1'))?.code).toBe('invalid_scope');
    // A principal built elsewhere with regions on another role gains nothing from them.
    expect(
      isAllowed({ subject: 's', role: 'coordinador', comunas: [], regions: ['13'] }, 'roster:read', '13101'),
    ).toBe(false);
  });
});
