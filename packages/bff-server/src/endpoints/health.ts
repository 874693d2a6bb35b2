import type { Request, Response } from 'express';
import type { EndpointDeps } from './deps.js';

/**
 * `GET /api/health`: 200 `ready` when the IdP is discovered and every dependency
 * answers; 503 otherwise, with which one is missing (for load balancers: an instance
 * that is not ready gets no traffic, and nobody is logged out).
 */
export function healthEndpoint(deps: EndpointDeps) {
  return async (_req: Request, res: Response): Promise<void> => {
    const idp = deps.oidc.status();
    const others = await deps.readiness();
    const ready = idp.ready && others.ready;
    res.set('cache-control', 'no-store');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'starting',
      idp: idp.ready ? 'discovered' : 'unreachable',
      ...others.checks,
    });
  };
}
