import Type from 'typebox';
import { ProductIdSchema } from '../../wire/MarketEvent.js';

/** Field schemas shared by both Coinbase protocols: decimals as strings, product ids, RFC 3339 times. */
export const Decimal = Type.String({ pattern: '^[0-9]{1,20}(\\.[0-9]{1,20})?$' });
export const PositiveDecimal = Type.String({ pattern: '^(?=.*[1-9])[0-9]{1,20}(\\.[0-9]{1,20})?$' });
/** The wire module's definition, so a product the configuration accepts is one the frames may carry. */
export const ProductId = ProductIdSchema;
export const Rfc3339 = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$',
});
export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  message: Type.String(),
  reason: Type.Optional(Type.String()),
});
