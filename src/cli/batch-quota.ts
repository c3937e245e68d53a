// relink batch's plan against today's Alma quota: the shared rules (src/staff-input/batch-quota.ts), which the desk
// shows before a batch starts.
export * from '../staff-input/batch-quota';
