// The workflows this project registers. Worker bundles start here: keep it free of I/O and Node built-ins.
export { readDailyQuota } from './daily-quota';
export { relinkLostLoans } from './relink-lost-loans';
export { recheckRestore } from './recheck-restore';
export { resolvePatron } from './resolve-patron';
export { sweepFind } from './sweep-find';
export { sweepRestore } from './sweep-restore';
