import { rejectionJsonSchema } from '../workflows/input';

/**
 * The CSV columns an import accepts: the rejection document's own field paths (`candidate.email`,
 * `interviewers[0].name`, `policy.delivery.thank-you`), read from its JSON Schema, and nothing else. A column
 * is turned into a path only after every segment is checked against the schema, so no column can name
 * `__proto__`, `constructor` or an index beyond the field's `maxItems`. Pure: no I/O.
 */
export type Segment = string | number;

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  maxItems?: number;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

/** A list without `maxItems` in the schema (e.g. `policy.sendWindow.days`) still has a bound. */
const DEFAULT_MAX_ITEMS = 100;

export class ColumnError extends Error {
  override name = 'ColumnError';
}

let documentSchema: SchemaNode | undefined;
const schema = (): SchemaNode => (documentSchema ??= rejectionJsonSchema() as SchemaNode);

// `policy` may be one JSON cell or one column per setting: either way each node is an object or a list.
const variants = (node: SchemaNode): SchemaNode[] => [node, ...(node.anyOf ?? []), ...(node.oneOf ?? [])];
const fieldOf = (node: SchemaNode, name: string): SchemaNode | undefined => {
  for (const variant of variants(node)) if (variant.properties && Object.hasOwn(variant.properties, name)) return variant.properties[name];
  return undefined;
};
const listOf = (node: SchemaNode): SchemaNode | undefined => variants(node).find((variant) => variant.items !== undefined);

/** The path of a column, e.g. `interviewers[1].email` is ['interviewers', 1, 'email']; a ColumnError says why not. */
export function columnPath(header: string): Segment[] {
  const segments: Segment[] = [];
  let node: SchemaNode | undefined = schema();
  let field = '';
  for (const part of header.split('.')) {
    const match = /^([A-Za-z$][\w$-]*)((?:\[\d+\])*)$/.exec(part);
    const name = match?.[1];
    if (!match || !name) throw new ColumnError(`column "${header}" is not a field of the rejection document (e.g. "candidate.email", "interviewers[0].name")`);
    node = node && fieldOf(node, name);
    field = field ? `${field}.${name}` : name;
    if (!node) throw new ColumnError(`column "${header}": "${field}" is not a field of the rejection document`);
    segments.push(name);
    for (const [, digits] of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      const list: SchemaNode | undefined = listOf(node);
      if (!list?.items) throw new ColumnError(`column "${header}": "${field}" is not a list`);
      const maxItems = list.maxItems ?? DEFAULT_MAX_ITEMS;
      const index = Number(digits);
      if (index >= maxItems) throw new ColumnError(`column "${header}": index ${digits} is beyond the last "${field}" (at most ${maxItems}, so [0] to [${maxItems - 1}])`);
      segments.push(index);
      field = `${field}[${index}]`;
      node = list.items;
    }
  }
  return segments;
}
