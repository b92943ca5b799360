import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/roster/api/app';
import { HttpError, principalOf } from '../../../functions/shared/adapters/http';
import { isAllowed } from '../../../functions/shared/domain/access';
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
