import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes let admins filter relinks in the Web UI. They are stored in clear text
// (they are not payloads), so they carry ids and step names only, never an email address.
export const RelinkPatronId = defineSearchAttributeKey('RelinkPatronId', SearchAttributeType.KEYWORD);
export const RelinkBarcodes = defineSearchAttributeKey('RelinkBarcodes', SearchAttributeType.KEYWORD_LIST);
export const RelinkStep = defineSearchAttributeKey('RelinkStep', SearchAttributeType.KEYWORD);
export const RelinkAwaiting = defineSearchAttributeKey('RelinkAwaiting', SearchAttributeType.KEYWORD);

export const relinkSearchAttributes = [RelinkPatronId, RelinkBarcodes, RelinkStep, RelinkAwaiting];

/** `Name=Type` pairs in the form `temporal server start-dev --search-attribute` takes. */
export const searchAttributeFlags: string[] = [
  'RelinkPatronId=Keyword',
  'RelinkBarcodes=KeywordList',
  'RelinkStep=Keyword',
  'RelinkAwaiting=Keyword',
];
