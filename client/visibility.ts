/** A string literal for a visibility query: O'Reilly becomes `'O\'Reilly'`. */
export function visibilityString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
