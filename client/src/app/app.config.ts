import { inject, provideAppInitializer, provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { provideRouter } from '@angular/router';
import { routes } from './app.routes';
import { APP_CONFIG, type AppConfig } from './core/app-config';
import { Auth } from './core/auth';
import { LoginFlow } from './core/login-flow';
import { provideTrpcClient } from './core/trpc-client';
import { WindowLocation } from './core/window-location';

export function createAppConfig(config: AppConfig): ApplicationConfig {
  return {
    providers: [
      provideBrowserGlobalErrorListeners(),
      provideRouter(routes),
      { provide: APP_CONFIG, useValue: config },
      provideTrpcClient(),
      provideAppInitializer(() => {
        // A sign-in that came back with ?auth_error= is over: it must not count as a loop.
        if (new URL(inject(WindowLocation).href).searchParams.has('auth_error')) inject(LoginFlow).forgetAttempt();
        // Started, not awaited: the shell renders at once and shows the status when known.
        void inject(Auth).load();
      }),
    ],
  };
}
