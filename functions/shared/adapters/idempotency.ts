/**
 * Idempotent requests at the HTTP edge. A client that retries a request after a timeout sends the
 * same `Idempotency-Key` header again; the operation behind the route then runs once per caller and
 * key, and a retry is answered with what the first request got. Powertools Idempotency keeps the
 * records (in progress, then the result) in the `idempotency` table, whose items expire by TTL.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IDEMPOTENCY_KEY_PATTERN } from '../api/idempotency-key';
import type { HttpEvent } from './http';
import { HttpError, headerOf } from './http';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The request's idempotency key, undefined when the header is absent; 400 when it is there but not
 * a key (its value is never repeated: a client might have put anything in it). A key in double
 * quotes, as the IETF draft writes it, is taken without them.
 */
export function idempotencyKeyOf(event: HttpEvent): string | undefined {
  const raw = headerOf(event, IDEMPOTENCY_KEY_HEADER);
  if (raw === undefined) return undefined;
  const key = raw.trim().replace(/^"(.*)"$/, '$1');
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new HttpError(
      400,
      'invalid_idempotency_key',
      'la cabecera Idempotency-Key no es válida: debe tener de 8 a 128 caracteres entre letras sin ' +
        'tilde, dígitos, ".", "_", ":" y "-" (un UUID sirve); envíe una sola clave por solicitud',
    );
  }
  return key;
}

export interface IdempotencyStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
}

/** The Powertools persistence layer on the idempotency table (key `id`, TTL on `expiration`). */
export function idempotencyStore(options: IdempotencyStoreOptions): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
}

export interface IdempotentOptions {
  readonly store: BasePersistenceLayer;
  /** Names the operation in the stored keys, so that two routes never share a record. */
  readonly operation: string;
  /** How long a key keeps its answer. */
  readonly expiresAfterSeconds: number;
}

/** One call of an idempotent operation: who calls, with which key (if any), and its input. */
export interface IdempotentCall<I, E> {
  /** The caller's subject: keys are scoped per caller, so two users' keys never collide. */
  readonly caller: string;
  readonly key: string | undefined;
  /** Validated input; a retry under the same key must bring the same input (key order aside). */
  readonly input: I;
  /** Passed to the operation but not compared (the caller's claims, say, which a new token renews). */
  readonly extra: E;
}

export interface IdempotentResult<R> {
  readonly result: R;
  /** True when the answer is the stored one of an earlier request with the same key. */
  readonly replayed: boolean;
}

/**
 * Makes `operation` idempotent per caller and key. Without a key it simply runs. With one, the
 * first request runs it and stores its result; a retry with the same input gets that result back
 * without running it again; the same key with another input is answered 409
 * `idempotency_key_reused`, and a retry while the first is still running 409 `request_in_progress`.
 * If the operation fails its record is removed, so that a retry runs it again.
 */
export function idempotent<I, E, R extends Record<string, unknown>>(
  operation: (input: I, extra: E) => Promise<R>,
  options: IdempotentOptions,
): (call: IdempotentCall<I, E>, context: Context) => Promise<IdempotentResult<R>> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'input',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: options.expiresAfterSeconds,
    hashFunction: 'sha256',
    responseHook: (response) => ({ ...(response as object), replayed: true }),
  });
  type Payload = { scope: { caller: string; key: string }; input: I; extra: E };
  const once = makeIdempotent(
    async (payload: Payload, _context: Context): Promise<IdempotentResult<R>> => ({
      result: await operation(payload.input, payload.extra),
      replayed: false,
    }),
    { persistenceStore: options.store, config, keyPrefix: options.operation },
  );
  return async (call, context) => {
    if (call.key === undefined) return { result: await operation(call.input, call.extra), replayed: false };
    try {
      const scope = { caller: call.caller, key: call.key };
      return await once({ scope, input: call.input, extra: call.extra }, context);
    } catch (error) {
      const name = (error as Error | undefined)?.name;
      if (name === 'IdempotencyValidationError') {
        throw new HttpError(
          409,
          'idempotency_key_reused',
          'esta clave de idempotencia ya se usó con otro contenido: para una solicitud distinta use una ' +
            'clave nueva; para reintentar, repita el contenido original',
        );
      }
      if (name === 'IdempotencyAlreadyInProgressError') {
        throw new HttpError(
          409,
          'request_in_progress',
          'una solicitud con esta clave de idempotencia aún se está procesando; reintente en unos segundos',
        );
      }
      throw error;
    }
  };
}
