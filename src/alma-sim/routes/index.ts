// Every simulated /almaws/v1 route, in one list: the HTTP layer mounts them and a test checks each against
// Ex Libris' OpenAPI (method, path template, declared query parameters).
import { confRoutes } from './conf';
import { feeRoutes } from './fees';
import { itemRoutes } from './items';
import { loanRoutes } from './loans';
import { requestRoutes } from './requests';
import type { RouteDef } from './types';
import { userSearchRoutes } from './user-search';
import { userRoutes } from './users';

export const apiRoutes: readonly RouteDef[] = [
  ...userSearchRoutes,
  ...userRoutes,
  ...itemRoutes,
  ...requestRoutes,
  ...loanRoutes,
  ...feeRoutes,
  ...confRoutes,
];
