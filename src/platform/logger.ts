import pino from 'pino';

/** A Postgres error (pg's DatabaseError, or TypeORM's QueryFailedError around one): its message and detail may quote values. */
export function isDatabaseError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const x = e as Error & { driverError?: unknown; severity?: unknown; code?: unknown };
  return e.name === 'QueryFailedError' || x.driverError !== undefined || (typeof x.severity === 'string' && typeof x.code === 'string');
}

/** Stack frames without the first line, which repeats the message. */
const framesOf = (stack: string | undefined) =>
  stack
    ?.split('\n')
    .filter((l) => /^\s+at /.test(l))
    .join('\n');

/**
 * What the logs keep of an error: its type and codes. For a database error that is the SQLSTATE code, constraint, table,
 * column and the stack frames, never the message, detail, statement or parameters (they quote the row: names, ID
 * numbers, phones). Other errors keep their message, which the hub writes itself.
 *
 * @example logger.error({ err }, 'sync failed') // {"err":{"type":"QueryFailedError","code":"23505","constraint":"enterprise_credit_code_key",…}}
 */
export function safeError(e: unknown): Record<string, unknown> {
  // pino applies this serializer to whatever sits under `err`: a string is a reason the hub wrote itself, kept.
  // (Log a caught error as the Error object, never its `.message`, so a database error goes through the cleaning below.)
  if (typeof e === 'string') return { type: 'string', message: e };
  if (!(e instanceof Error)) return { type: typeof e };
  if (isDatabaseError(e)) {
    const x = e as Error & { driverError?: Record<string, unknown> } & Record<string, unknown>;
    const d = x.driverError ?? x;
    const pick = (k: string) => (typeof d[k] === 'string' ? d[k] : undefined);
    return {
      type: e.name,
      code: pick('code'),
      constraint: pick('constraint'),
      table: pick('table'),
      column: pick('column'),
      dataType: pick('dataType'),
      routine: pick('routine'),
      stack: framesOf(e.stack),
    };
  }
  const x = e as Error & { code?: unknown; originalError?: unknown; extensions?: { code?: unknown } };
  const code = x.code ?? x.extensions?.code;
  // A GraphQLError around a database error repeats the database's message (and its stack starts with it): only its codes stay.
  if (isDatabaseError(x.originalError)) return { type: e.name, code, originalError: safeError(x.originalError) };
  const out: Record<string, unknown> = { type: e.name, message: e.message, code, stack: e.stack };
  if (x.originalError instanceof Error) out.originalError = safeError(x.originalError);
  return out;
}

/** Fields whose values never reach a log line (personal data, secrets, statements' parameters), at any object's first level. */
export const REDACT_PATHS: readonly string[] = [
  '*.legalRepresentative',
  '*.contactPhone',
  '*.legalRepresentativeIdNumber',
  '*.reporterName',
  '*.reporterContact',
  '*.tipsterName',
  '*.tipsterOrganisation',
  '*.tipsterContact',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.previousSecret',
  '*.token',
  '*.parameters',
];

/**
 * Structured logger. Personal data (names, phones, ID numbers) is never logged:
 * log ids and codes only. Errors go through `safeError`; the redact list is a second line of defence.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: { service: 'water-credit-hub' },
  serializers: { err: safeError, error: safeError },
  redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
});
export type Logger = typeof logger;

/**
 * Writes `text` to stdout through the logger's own stream, so it comes out after every line
 * logged before it (pino writes asynchronously; a direct `process.stdout.write` could
 * overtake them). `npm start` prints its URL and token this way, as the last lines.
 */
export function printAfterLogs(text: string): void {
  (logger as unknown as Record<symbol, { write(s: string): void }>)[pino.symbols.streamSym].write(text);
}
