import * as fc from 'fast-check';

/** Renders an item or an error for a timeline cell: fast-check's notation, cut at `width` characters. */
export function renderValue(value: unknown, width = 24): string {
  const text = value instanceof Error ? `${value.name}: ${value.message}` : fc.stringify(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
