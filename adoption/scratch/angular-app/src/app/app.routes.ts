import type { Routes } from '@angular/router';
import { roleGuard, sessionGuard } from '@oidc-bff/angular';

// The roles are the team's own, granted by its API from the user's groups.
export const routes: Routes = [
  { path: 'hello', canActivate: [sessionGuard], loadComponent: () => import('./hello-page').then((m) => m.HelloPage) },
  { path: 'reports', canActivate: [roleGuard('analyst')], loadComponent: () => import('./hello-page').then((m) => m.HelloPage) },
];
