// Makes a namespace ready for relinks: the custom search attributes the workflow writes, registered where the worker
// may, or a precise message of what an administrator must add where it may not (Temporal Cloud).
import { temporal as proto } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { relinkSearchAttributes } from './contract';

const { IndexedValueType } = proto.api.enums.v1;

/** The contract's search attributes, as the operator API names their types. */
export const RELINK_SEARCH_ATTRIBUTES: Record<string, proto.api.enums.v1.IndexedValueType> = Object.fromEntries(
  relinkSearchAttributes.map((key) => [key.name, IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
);

/**
 * Registers the relink's search attributes in the namespace, adding only the missing ones, so a fresh cluster
 * needs no manual step. Where the worker may not (Temporal Cloud: attributes are added with tcld or the Cloud UI),
 * it checks they exist and says exactly what to add. Returns the names it added.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const typeName = (t: number) => IndexedValueType[t]?.replace('INDEXED_VALUE_TYPE_', '') ?? String(t);
  let existing: Record<string, number>;
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    throw new Error(`Cannot list the search attributes of namespace "${namespace}": ${(err as Error).message}`);
  }
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(RELINK_SEARCH_ATTRIBUTES)) {
    if (existing[name] === undefined) missing[name] = type;
    else if (existing[name] !== type) {
      throw new Error(
        `Search attribute ${name} is registered in namespace "${namespace}" as ${typeName(existing[name])}, ` +
          `but the relink needs ${typeName(type)}. Remove it (temporal operator search-attribute remove) and restart.`,
      );
    }
  }
  const names = Object.keys(missing);
  if (names.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    const list = names.map((n) => `${n} (${typeName(missing[n]!)})`).join(', ');
    throw new Error(
      `Namespace "${namespace}" lacks the search attributes ${list}, and this worker may not add them ` +
        `(${(err as Error).message}). Add them as an administrator, e.g. temporal operator search-attribute create ` +
        `--namespace ${namespace} --name N --type T, or on Temporal Cloud with tcld / the Cloud UI.`,
    );
  }
  return names;
}
