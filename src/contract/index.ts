// The contract between the relink workflow, its activities and its client: the types they exchange, the messages,
// the defaults, the ids and the search attributes. It sits below all three and imports none of them; the workflow
// sandbox bundles it, so it stays free of I/O and Node built-ins.
export * from './activity-types';
export * from './defaults';
export * from './ids';
export * from './lost-mode';
export * from './messages';
export * from './restore-after';
export * from './search-attributes';
export * from './staff-instructions';
export * from './types';
export * from './validate';
