import type { JsonMap } from '@tandem/core';

/** A JSON object (Kea: a map); arrays and null are not maps. */
export const isMap = (value: unknown): value is JsonMap => typeof value === 'object' && value !== null && !Array.isArray(value);
