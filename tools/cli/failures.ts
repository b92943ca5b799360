/**
 * What the data team reads when the API or S3 cannot be reached or refuses a request: Node's
 * `fetch failed` and the AWS SDK's messages (`Region is missing`, …) are English and say little
 * about what to do, so each known failure is said in Spanish with its next step; the code of the
 * underlying cause (ECONNREFUSED, NoSuchBucket, …) is kept, to be searched for.
 */

/** The first error code found on the error, its causes or (for an AggregateError) its errors. */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : cause;
  }
  return undefined;
}

const WHY_UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'nada escucha en esa dirección; revise la URL y que el servicio esté en marcha',
  ENOTFOUND: 'el nombre del servidor no existe; revise la URL',
  EAI_AGAIN: 'no se pudo resolver el nombre del servidor; revise la red y la URL',
  ETIMEDOUT: 'el servidor no respondió a tiempo',
  UND_ERR_CONNECT_TIMEOUT: 'el servidor no respondió a tiempo',
  ECONNRESET: 'el servidor cortó la conexión',
  EHOSTUNREACH: 'no hay ruta hasta el servidor; revise la red y la URL',
  ENETUNREACH: 'no hay red hasta el servidor',
  CERT_HAS_EXPIRED: 'el certificado TLS del servidor expiró',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'el certificado TLS del servidor no es de confianza',
  SELF_SIGNED_CERT_IN_CHAIN: 'el certificado TLS del servidor no es de confianza',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'el certificado TLS del servidor no es de confianza',
  ERR_TLS_CERT_ALTNAME_INVALID: 'el certificado TLS no corresponde al nombre del servidor',
};

/** `no se pudo conectar con <url> (<code>): <why>` for a request that never got an answer. */
export function unreachable(url: string, error: unknown): string {
  const code = causeCode(error);
  const why = (code && WHY_UNREACHABLE[code]) ?? 'la conexión falló';
  return `no se pudo conectar con ${url}${code ? ` (${code})` : ''}: ${why}`;
}

/** Where the S3 of a command is: the bucket, and the local system's endpoint if one was given. */
export interface S3Target {
  readonly bucket: string;
  readonly endpoint?: string | undefined;
}

/**
 * The error an S3 call of the CLI threw, said in Spanish when it is one the data team can act on;
 * any other error (the CLI's own, already in Spanish) is returned as it is.
 */
export function explainS3Failure(error: unknown, target: S3Target): unknown {
  if (!(error instanceof Error)) return error;
  const name = error.name;
  const where = `s3://${target.bucket}/`;
  if (error.message === 'Region is missing') {
    return new Error(
      'falta la región de AWS: defina AWS_REGION (o AWS_PROFILE con un perfil que tenga región), ' +
        'o pase --endpoint <url> para el sistema local (npm start)',
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(error.message)) {
    return new Error(
      'no se encontraron credenciales de AWS: defina AWS_PROFILE (o AWS_ACCESS_KEY_ID y ' +
        'AWS_SECRET_ACCESS_KEY), o pase --endpoint <url> para el sistema local (npm start)',
    );
  }
  if (name === 'NoSuchBucket') {
    return new Error(
      `el bucket ${target.bucket} no existe: revise --bucket (la salida RawBucket del stack; san-raw en el sistema local)`,
    );
  }
  if (
    name === 'AccessDenied' ||
    name === 'Forbidden' ||
    name === 'InvalidAccessKeyId' ||
    name === 'ExpiredToken'
  ) {
    return new Error(
      `S3 negó el acceso a ${where} (${name}): revise que las credenciales de AWS sean vigentes y tengan permiso sobre el bucket`,
    );
  }
  const code = causeCode(error);
  if (name === 'TimeoutError' || (code !== undefined && WHY_UNREACHABLE[code] !== undefined)) {
    return new Error(unreachable(target.endpoint ?? `S3 (${where})`, error));
  }
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) {
    return new Error(`S3 rechazó la operación en ${where} (${name}, HTTP ${status}): ${error.message}`);
  }
  return error;
}
