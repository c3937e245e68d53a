import type { AlmaClient } from '../alma';

/** What every activity needs: an Alma client (its API key and rate limiter live inside it). */
export interface ActivityDeps {
  alma: AlmaClient;
}
