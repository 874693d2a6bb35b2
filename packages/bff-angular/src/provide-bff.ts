// No decorators anywhere in this package, by design: it is built with plain `tsc` (ESM and
// .d.ts, no ng-packagr), and a decorator would then ship as a runtime call that only the
// Angular compiler turns into Ivy definitions, so it would break in an AOT-compiled app.
// Services are therefore plain classes that call `inject()` in their field initialisers and
// constructors, provided here through `useFactory` (which runs in an injection context);
// guards are `CanActivateFn`s; tokens are `InjectionToken`s; there are no components.
import {
  DOCUMENT,
  EnvironmentInjector,
  InjectionToken,
  inject,
  makeEnvironmentProviders,
  provideAppInitializer,
  runInInjectionContext,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { ServiceStatus, serviceStatusLink } from './api/service-status.js';
import { BFF_TRPC_CLIENT, createTrpcClient, type BffCompatibleRouter } from './api/trpc-client.js';
import { Auth } from './auth/auth.js';
import { autoLoginLink } from './auth/auto-login-link.js';
import { LoginFlow } from './auth/login-flow.js';
import { WindowLocation } from './auth/window-location.js';
import { BFF_ROUTES, type BffRoutes } from './bff-routes.js';
import { BFF_CONFIG, BffConfigError, loadBffConfig, parseBffConfig, type BffConfig } from './config/bff-config.js';

/**
 * Where the BFF is: its URL, or the URL of a `config.json` (`{"apiUrl": "https://…"}`)
 * read at start-up, relative to the document's base URI, so that one build deploys anywhere.
 * A missing `config.json` means the development BFF, `http://localhost:3000`.
 */
export type BffApi = { readonly apiUrl: string } | { readonly configUrl: string };

export interface BffOptions {
  /** The app's pages the machinery sends the user to. */
  readonly routes: BffRoutes;
}

/** The kinds of {@link BffFeature}, one per `with…()` function. */
export type BffFeatureKind = 'trpc-links';

/** Something `provideBff` adds on request, made by a `with…()` function (as `provideRouter`'s features). */
export interface BffFeature<TKind extends BffFeatureKind = BffFeatureKind> {
  readonly kind: TKind;
  readonly providers: readonly Provider[];
}

type LinksFactory = () => readonly TRPCLink<AnyTRPCRouter>[];

const BFF_APP_LINKS = new InjectionToken<readonly LinksFactory[]>('BFF_APP_LINKS');

/**
 * Adds the app's own tRPC links to every call, after the BFF's (sign-in on UNAUTHORIZED,
 * service status) and just before the transport. `links` runs in the injection context.
 *
 * @example
 * provideBff<AppRouter>({ configUrl: 'config.json' }, { routes }, withTrpcLinks(() => [loggerLink()]))
 */
export function withTrpcLinks(links: LinksFactory): BffFeature<'trpc-links'> {
  return { kind: 'trpc-links', providers: [{ provide: BFF_APP_LINKS, useValue: links, multi: true }] };
}

/**
 * Installs the BFF's Angular side: the tRPC client for the app's router `TRouter` (which
 * must hold the BFF's `me`: `mergeRouters(bffRouter, …)` on the server), its links (a call
 * refused as unauthenticated leads to sign-in or to the session problem; one that finds the
 * API down or busy leads to `ServiceStatus` and retries, never to sign-in), `Auth`,
 * `LoginFlow`, `ServiceStatus`, and an initializer that starts loading the session (`me`)
 * without holding up the first render. With `{ configUrl }`, the application starts once
 * `config.json` is read; `bootstrapApplication` rejects with a `BffConfigError` if it is
 * unreadable or invalid.
 *
 * @example
 * export const appConfig: ApplicationConfig = {
 *   providers: [
 *     provideRouter(routes),
 *     provideBff<AppRouter>({ configUrl: 'config.json' }, { routes: { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' } }),
 *   ],
 * };
 */
export function provideBff<TRouter extends BffCompatibleRouter>(api: BffApi, options: BffOptions, ...features: readonly BffFeature[]): EnvironmentProviders {
  return makeEnvironmentProviders([
    bffServiceProviders(options.routes),
    { provide: WindowLocation, useFactory: () => new WindowLocation() },
    bffConfigProviders(api),
    // Provided under the machinery's view of the client (BffClient); the app reads it as TRPCClient<TRouter> with injectTrpc.
    { provide: BFF_TRPC_CLIENT, useFactory: () => createTrpcClient<TRouter>({ apiUrl: inject(BFF_CONFIG).apiUrl, links: bffLinks<TRouter>() }) },
    features.flatMap((feature) => feature.providers),
    provideAppInitializer(() => {
      const injector = inject(EnvironmentInjector);
      const loader = inject(BffConfigLoader, { optional: true });
      const start = () => runInInjectionContext(injector, startSession);
      return loader ? loader.load().then(start) : start();
    }),
  ]);
}

/**
 * The links every call goes through (in the injection context): the BFF's, then the app's
 * (`withTrpcLinks`). `provideBffTesting` puts the same ones on its real client.
 */
export function bffLinks<TRouter extends AnyTRPCRouter>(): TRPCLink<TRouter>[] {
  const appLinks = (inject(BFF_APP_LINKS, { optional: true }) ?? []).flatMap((links) => links());
  return [autoLoginLink<TRouter>(inject(LoginFlow)), serviceStatusLink<TRouter>(inject(ServiceStatus)), ...appLinks];
}

/** The machinery's services, shared by `provideBff` and `provideBffTesting` (which differ in the edges: location, channel, client). */
export function bffServiceProviders(routes: BffRoutes): Provider[] {
  for (const [name, path] of Object.entries(routes)) {
    if (typeof path !== 'string' || !path.startsWith('/'))
      throw new BffConfigError(`routes.${name} of provideBff must be an application path such as "/", not ${JSON.stringify(path)}.`);
  }
  return [
    { provide: BFF_ROUTES, useValue: routes },
    { provide: LoginFlow, useFactory: () => new LoginFlow() },
    { provide: ServiceStatus, useFactory: () => new ServiceStatus() },
    { provide: Auth, useFactory: () => new Auth() },
  ];
}

/** The start of every page load, once the configuration is known. */
function startSession(): void {
  // A sign-in that came back with the callback's ?auth_error= is over: it must not count as a loop.
  const error = new URL(inject(WindowLocation).href).searchParams.get('auth_error');
  if (error) inject(LoginFlow).forgetAttempt();
  // A silent sign-in the IdP could not do without the user: the interactive one, back to this page.
  if (error === 'login_required') inject(LoginFlow).login();
  // Started, not awaited: the shell renders at once and shows the status when known.
  void inject(Auth).load();
}

function bffConfigProviders(api: BffApi): Provider[] {
  if ('apiUrl' in api) {
    const parsed = parseBffConfig(api, 'provideBff');
    if (!parsed.ok) throw new BffConfigError(parsed.problem);
    return [{ provide: BFF_CONFIG, useValue: parsed.config }];
  }
  return [
    { provide: BffConfigLoader, useFactory: () => new BffConfigLoader(api.configUrl) },
    { provide: BFF_CONFIG, useFactory: () => inject(BffConfigLoader).loaded() },
  ];
}

/** Reads `config.json` for `{ configUrl }`, before anything that needs `BFF_CONFIG` is created. */
class BffConfigLoader {
  private readonly url: URL;
  private config: BffConfig | undefined;

  constructor(configUrl: string) {
    this.url = new URL(configUrl, inject(DOCUMENT).baseURI);
  }

  async load(): Promise<void> {
    const result = await loadBffConfig(this.url);
    if (!result.ok) throw new BffConfigError(result.problem);
    this.config = result.config;
  }

  loaded(): BffConfig {
    if (!this.config)
      throw new BffConfigError(
        'The BFF configuration was needed before config.json was read: inject BFF_CONFIG (Auth, the tRPC client…) only once the application has started.',
      );
    return this.config;
  }
}
