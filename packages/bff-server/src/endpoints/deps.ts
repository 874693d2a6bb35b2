import type { Config } from '../config/env.js';
import type { OidcService } from '../oidc/discovery.js';
import type { SessionManager } from '../session/manager.js';
import type { TransactionCookies } from '../session/transaction-cookies.js';
import type { ReplayCache } from '../oidc/replay-cache.js';
import type { BffHooks } from '../hooks.js';
import type { Logger } from '../log.js';

/** What the plain (non-tRPC) endpoints work with. */
export interface EndpointDeps {
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly transactions: TransactionCookies;
  /** Logout-token `jti` values already used (S5), shared by every instance. */
  readonly replay: ReplayCache;
  /** What the app observes of sign-ins. */
  readonly hooks: BffHooks;
  readonly logger: Logger;
  /** Readiness of the API's dependencies other than the IdP (e.g. the session store). */
  readonly readiness: () => Promise<{ readonly ready: boolean; readonly checks: Readonly<Record<string, string>> }>;
}
