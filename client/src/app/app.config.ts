import { inject, provideAppInitializer, provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { provideRouter } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import type { TRPCLink } from '@trpc/client';
import { routes } from './app.routes';
import { APP_CONFIG, type AppConfig } from './core/config/app-config';
import { Auth } from './core/auth/auth';
import { autoLoginLink } from './core/auth/auto-login-link';
import { LoginFlow } from './core/auth/login-flow';
import { ServiceStatus, serviceStatusLink } from './core/api/service-status';
import { provideTrpcClient } from './core/api/trpc-client';
import { WindowLocation } from './core/auth/window-location';

/**
 * The links every call goes through (in the injection context): a call refused as
 * unauthenticated leads to sign-in (or to the session problem); one that finds the API
 * down or busy leads to a banner and retries, never to sign-in.
 */
export function appTrpcLinks(): TRPCLink<AppRouter>[] {
  return [autoLoginLink(inject(LoginFlow)), serviceStatusLink(inject(ServiceStatus))];
}

export function createAppConfig(config: AppConfig): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideRouter(routes),
      { provide: APP_CONFIG, useValue: config },
      provideTrpcClient(appTrpcLinks),
      provideAppInitializer(() => {
        // A sign-in that came back with ?auth_error= is over: it must not count as a loop.
        if (new URL(inject(WindowLocation).href).searchParams.has('auth_error')) inject(LoginFlow).forgetAttempt();
        // Started, not awaited: the shell renders at once and shows the status when known.
        void inject(Auth).load();
      }),
    ],
  };
}
