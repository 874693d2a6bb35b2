import type { DownstreamApiConfig } from '../options/downstream.js';
import type { SessionData } from '../session/store.js';
import { downstreamClient, type DownstreamClient } from './client.js';
import type { DownstreamTokens } from './tokens.js';

/** The configured downstream APIs, as procedures reach them (`ctx.downstream(name)`). */
export interface DownstreamService {
  readonly tokens: DownstreamTokens;
  readonly apis: readonly DownstreamApiConfig[];
  /** The client of the API configured as `name`, for the session's user. */
  client(session: SessionData, name: string): DownstreamClient;
}

export function createDownstreamService(tokens: DownstreamTokens, apis: readonly DownstreamApiConfig[]): DownstreamService {
  const byName = new Map(apis.map((api) => [api.name, api]));
  return {
    tokens,
    apis,
    client: (session, name) => {
      const api = byName.get(name);
      if (!api)
        throw new TypeError(
          `No downstream API is configured as "${name.slice(0, 40)}" (DOWNSTREAM_APIS has ${apis.length ? apis.map((a) => `"${a.name}"`).join(', ') : 'none'}).`,
        );
      return downstreamClient(tokens, session, api);
    },
  };
}
