import type { ApplicationConfig } from '@angular/core';
import { provideRouter } from '@angular/router';
import { provideBff } from '@oidc-bff/angular';
import type { ScratchRouter } from '../../server/router';
import { routes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    provideRouter(routes),
    provideBff<ScratchRouter>({ configUrl: 'config.json' }, { routes: { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' } }),
  ],
};
