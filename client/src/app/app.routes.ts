import type { Routes } from '@angular/router';
import { groupGuard, sessionGuard } from './core/auth-guard';
import { ANALYSTS_GROUP } from './core/groups';

const TITLE = 'Team Workspace';

export const routes: Routes = [
  {
    path: 'profile',
    title: `Profile · ${TITLE}`,
    canActivate: [sessionGuard],
    loadComponent: () => import('./profile/profile-page').then((m) => m.ProfilePage),
  },
  {
    path: '**',
    title: `Page not found · ${TITLE}`,
    loadComponent: () => import('./not-found/not-found-page').then((m) => m.NotFoundPage),
  },
];
