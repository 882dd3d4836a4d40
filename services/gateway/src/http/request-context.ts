import { traceIdOf, newTraceparent } from '@takes/bus';
import type { UserAttribute } from '@takes/auth';

declare module 'fastify' {
  interface FastifyRequest {
    /** W3C trace id of this request (from an incoming traceparent, or new). */
    traceId: string;
    traceparent: string;
    /** Who is calling, once the auth guard has checked the token. */
    principal?: Principal;
  }
}

/** The caller of an app route, from a verified token. */
export interface Principal {
  userId: string;
  roles: string[];
  email?: string;
  /** What permission conditions name as `$user.<attribute>` (from the token). */
  attributes?: Record<string, UserAttribute>;
  /** The app of the route. */
  app: string;
  /** A platform token acting in an app (as admin, like Rocket). */
  platform: boolean;
}

export function traceFromHeader(header: string | string[] | undefined): { traceId: string; traceparent: string } {
  const incoming = Array.isArray(header) ? header[0] : header;
  const traceId = traceIdOf(incoming);
  const traceparent = newTraceparent(traceId);
  return { traceId: traceIdOf(traceparent)!, traceparent };
}

/** The caller as the event store's commands carry it: id, roles and attributes. */
export function actorOf(principal: Principal): { id: string; roles: string[]; attributes?: Record<string, UserAttribute> } {
  return { id: principal.userId, roles: principal.roles, ...(principal.attributes ? { attributes: principal.attributes } : {}) };
}
