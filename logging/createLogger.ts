import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactUrlPassword } from './redactSecrets.js';

/** Keys whose values are secrets wherever they appear in a log record. */
const SECRET_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'apiSecret', '*.apiSecret', 'jwt', '*.jwt',
  'authorization', '*.authorization', 'headers.authorization', 'DATABASE_URL', '*.DATABASE_URL',
];

function scrubStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactUrlPassword(value);
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const scrubbed = new Error(redactUrlPassword(value.message));
    scrubbed.name = value.name;
    if (value.stack !== undefined) scrubbed.stack = redactUrlPassword(value.stack);
    return scrubbed;
  }
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubStrings(v, depth - 1);
  return out;
}

/**
 * The project's JSON logger. Secrets are removed twice over: known secret keys are censored by pino's
 * `redact`, and any `scheme://user:password@` URL in a message, field or error (a driver echoing its
 * connection string, say) loses its password.
 */
export function createLogger(name: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: SECRET_PATHS, censor: '****' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (record) => scrubStrings(record, 4) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactUrlPassword(a) : a)) as typeof args);
      },
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
