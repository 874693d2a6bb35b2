import { bootstrapApplication } from '@angular/platform-browser';
import { BffConfigError } from '@oidc-bff/angular';
import { App } from './app/app';
import { appConfig } from './app/app.config';

// A config.json that cannot be read or is invalid stops the start with a BffConfigError.
bootstrapApplication(App, appConfig).catch((error: unknown) => {
  document.body.textContent = error instanceof BffConfigError ? error.message : 'The application failed to start.';
});
