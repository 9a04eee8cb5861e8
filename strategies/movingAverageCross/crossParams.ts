import Type from 'typebox';

/** Parameters shared by the moving-average cross strategies. */
export const CrossParams = Type.Object({
  fast: Type.Integer({ minimum: 1, default: 10, description: 'Period of the fast average, in bars.' }),
  slow: Type.Integer({ minimum: 2, default: 30, description: 'Period of the slow average, in bars.' }),
  confirmBars: Type.Integer({ minimum: 1, default: 1, description: 'Bars the cross must hold before the signal.' }),
  allowShort: Type.Boolean({ default: false, description: 'Go short on a bearish cross instead of flat.' }),
}, { additionalProperties: false });

export function validateCross(params: { fast: number; slow: number }): string[] {
  return params.fast < params.slow ? [] : [`fast (${params.fast}) must be less than slow (${params.slow})`];
}
