import { provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { provideRouter } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import { provideBff } from '@oidc-bff/angular';
import { bffRoutes, routes } from './app.routes';

/**
 * The API's URL comes from config.json beside index.html, read at start-up, so one build
 * deploys anywhere.
 */
export const appConfig: ApplicationConfig = {
  providers: [provideBrowserGlobalErrorListeners(), provideRouter(routes), provideBff<AppRouter>({ configUrl: 'config.json' }, { routes: bffRoutes })],
};
