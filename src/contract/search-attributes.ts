// The relink's custom search attributes, named once. The worker's registration, the dev server's flags and the
// client's list queries are all derived from this list.
// They are stored in clear text (they are not payloads), so they carry ids and step names only, never an email.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';

export const RelinkPatronId = defineSearchAttributeKey('RelinkPatronId', SearchAttributeType.KEYWORD);
export const RelinkBarcodes = defineSearchAttributeKey('RelinkBarcodes', SearchAttributeType.KEYWORD_LIST);
export const RelinkStep = defineSearchAttributeKey('RelinkStep', SearchAttributeType.KEYWORD);
export const RelinkAwaiting = defineSearchAttributeKey('RelinkAwaiting', SearchAttributeType.KEYWORD);
/** How the relink ended (an Outcome, or 'failed'), written once at its end: the needs-attention gauge counts it. */
export const RelinkOutcome = defineSearchAttributeKey('RelinkOutcome', SearchAttributeType.KEYWORD);

export const relinkSearchAttributes: SearchAttributeKey<SearchAttributeType>[] = [
  RelinkPatronId,
  RelinkBarcodes,
  RelinkStep,
  RelinkAwaiting,
  RelinkOutcome,
];

/** The type names `temporal server start-dev --search-attribute Name=Type` and `temporal operator` take. */
const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export const cliTypeName = (type: SearchAttributeType): string => CLI_TYPE_NAMES[type];

/** `Name=Type` pairs in the form `temporal server start-dev --search-attribute` takes. */
export const searchAttributeFlags: string[] = relinkSearchAttributes.map((k) => `${k.name}=${cliTypeName(k.type)}`);

/** A list-filter clause on one attribute, e.g. `RelinkAwaiting = 'lost-declaration'`, quoted for the visibility query. */
export function equalsClause(key: SearchAttributeKey<SearchAttributeType>, value: string): string {
  // A backslash first, so a value ending in one cannot unquote the closing quote.
  return `${key.name} = '${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
