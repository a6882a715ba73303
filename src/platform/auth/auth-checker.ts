import { AuthChecker } from 'type-graphql';
import { Context } from '../context';
import { forbidden, unauthenticated } from '../errors';
import { EVALUATORS, SUPERVISORS } from './access.rules';

/**
 * `@Authorized(...roles)`: UNAUTHENTICATED without a token, FORBIDDEN for a role not
 * listed. Jurisdiction (which enterprises) is checked in the services.
 */
export const authChecker: AuthChecker<Context> = ({ context, info }, roles) => {
  const p = context.principal;
  if (p.role === 'PUBLIC' && !roles.includes('PUBLIC')) throw unauthenticated(`${info.fieldName} needs a bearer token (Authorization: Bearer …).`);
  if (roles.length === 0 || roles.includes(p.role)) return true;
  throw forbidden(`Role ${p.role} may not use ${info.fieldName}; allowed: ${roles.join(', ')}.`);
};

/** Role sets used across resolvers. */
export const WRITERS = [...SUPERVISORS];
export { EVALUATORS };
