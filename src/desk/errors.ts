// A page that does not exist: a malformed relink id, a batch this desk does not hold.
export class NotFound extends Error {}
