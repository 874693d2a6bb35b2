import type { Routes } from '@angular/router';
import { roleGuard, sessionGuard, type BffRoutes } from '@oidc-bff/angular';
import { startChatHistory } from './chat/chat-history';
import { ANALYST_ROLE } from './roles';

const TITLE = 'Team Workspace';

/** The pages below that the BFF machinery sends users to (`provideBff`'s `routes`). */
export const bffRoutes: BffRoutes = { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' };

export const routes: Routes = [
  {
    path: '',
    pathMatch: 'full',
    title: TITLE,
    loadComponent: () => import('./home/home-page').then((m) => m.HomePage),
  },
  {
    path: 'chat',
    title: `Chat · ${TITLE}`,
    canActivate: [sessionGuard, startChatHistory],
    loadComponent: () => import('./chat/chat-page').then((m) => m.ChatPage),
  },
  {
    path: 'analytics',
    title: `Analytics · ${TITLE}`,
    canActivate: [roleGuard(ANALYST_ROLE)],
    loadComponent: () => import('./analytics/analytics-page').then((m) => m.AnalyticsPage),
  },
  {
    path: 'reports',
    title: `Reports · ${TITLE}`,
    canActivate: [sessionGuard],
    loadComponent: () => import('./reports/reports-page').then((m) => m.ReportsPage),
  },
  {
    path: 'profile',
    title: `Profile · ${TITLE}`,
    canActivate: [sessionGuard],
    loadComponent: () => import('./profile/profile-page').then((m) => m.ProfilePage),
  },
  {
    path: 'forbidden',
    title: `Access needed · ${TITLE}`,
    loadComponent: () => import('./forbidden/forbidden-page').then((m) => m.ForbiddenPage),
  },
  {
    path: 'session-problem',
    title: `Sign-in problem · ${TITLE}`,
    loadComponent: () => import('./session-problem/session-problem-page').then((m) => m.SessionProblemPage),
  },
  {
    path: '**',
    title: `Page not found · ${TITLE}`,
    loadComponent: () => import('./not-found/not-found-page').then((m) => m.NotFoundPage),
  },
];
