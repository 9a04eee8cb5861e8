import { Ajv, type ValidateFunction } from 'ajv';
import { MARKET_EVENT_SCHEMAS, type MarketEvent, type MarketEventType } from './MarketEvent.js';

/** A record on `prices.normalized` that is not a valid {@link MarketEvent}; `reason` says why. */
export class WireDecodeError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`Undecodable market event: ${reason}`);
    this.name = 'WireDecodeError';
    this.reason = reason;
  }
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validators = Object.fromEntries(
  Object.entries(MARKET_EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
) as Record<MarketEventType, ValidateFunction>;

/** JSON text of an event: the value of a `prices.normalized` record. */
export function encodeMarketEvent(event: MarketEvent): string {
  return JSON.stringify(event);
}

/** Parses and validates a `prices.normalized` value; throws {@link WireDecodeError} naming the first problem. */
export function decodeMarketEvent(value: Buffer | string): MarketEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new WireDecodeError('not JSON');
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !Object.hasOwn(validators, type)) {
    throw new WireDecodeError(`unknown event type ${JSON.stringify(type)}`);
  }
  const validate = validators[type as MarketEventType];
  if (!validate(parsed)) {
    const error = validate.errors?.[0];
    throw new WireDecodeError(`${type}${error?.instancePath ?? ''} ${error?.message ?? 'is invalid'}`);
  }
  return parsed as MarketEvent;
}
