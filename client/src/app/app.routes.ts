import type { Routes } from '@angular/router';
import { roleGuard, sessionGuard } from './core/auth/auth-guard';
import { ANALYST_ROLE } from './core/auth/auth';
import { startChatHistory } from './chat/chat-history';

const TITLE = 'Team Workspace';

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
