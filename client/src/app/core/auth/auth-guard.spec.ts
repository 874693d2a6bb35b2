import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import {
  ALICE,
  BOB,
  FRONT_ORIGIN,
  FakeWindowLocation,
  createFakeTrpc,
  loginUrlFor,
  meFor,
  provideFakes,
  trpcError,
  type FakeTrpc,
} from '../../../testing/fakes';
import { roleGuard, sessionGuard } from './auth-guard';
import { LOGIN_ATTEMPT_KEY } from './login-flow';

@Component({ template: 'page' })
class Page {}

describe('guards', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;

  async function navigate(url: string): Promise<string> {
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url).catch(() => undefined);
    return TestBed.inject(Router).url;
  }

  beforeEach(() => {
    sessionStorage.clear();
    trpc = createFakeTrpc();
    location = new FakeWindowLocation();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'chat', component: Page, canActivate: [sessionGuard] },
          { path: 'analytics', component: Page, canActivate: [roleGuard('analyst')] },
          { path: 'forbidden', component: Page },
          { path: 'session-problem', component: Page },
          { path: '**', component: Page },
        ]),
        ...provideFakes(trpc, location),
      ],
    });
  });

  describe('sessionGuard', () => {
    it('lets a signed-in user in', async () => {
      trpc.me.query.mockResolvedValue(BOB);
      expect(await navigate('/chat')).toBe('/chat');
      expect(location.assigned).toEqual([]);
    });

    it('starts sign-in with the requested page as returnTo, and stays put, when signed out', async () => {
      trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));

      expect(await navigate('/chat?room=general')).not.toBe('/chat?room=general');

      expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat?room=general`)]);
    });

    it('shows the session problem instead of a second sign-in right after one', async () => {
      sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - 3_000));
      trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));

      const url = await navigate('/chat');

      expect(url.startsWith('/session-problem?')).toBe(true);
      expect(url).toContain('reason=no_session');
      expect(location.assigned).toEqual([]);
    });

    it('lets the page open, without sign-in, when the API answers SERVICE_UNAVAILABLE', async () => {
      trpc.me.query.mockRejectedValue(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable'));
      expect(await navigate('/chat')).toBe('/chat');
      expect(location.assigned).toEqual([]);
    });

    it('lets the page open (and show its own error) when the API cannot be reached', async () => {
      trpc.me.query.mockRejectedValue(new TypeError('Failed to fetch'));
      expect(await navigate('/chat')).toBe('/chat');
    });
  });

  describe('roleGuard', () => {
    it('lets a user with the role in', async () => {
      trpc.me.query.mockResolvedValue(ALICE);
      expect(await navigate('/analytics')).toBe('/analytics');
    });

    it('sends a signed-in user without the role to the forbidden page, naming the role', async () => {
      trpc.me.query.mockResolvedValue(BOB);
      expect(await navigate('/analytics')).toBe('/forbidden?role=analyst');
    });

    it.each([
      ['groups named like the role, without the role', ['analyst', 'analysts'], [], '/forbidden?role=analyst'],
      ['the role, granted through a directory group', ['cn=quants,ou=groups,dc=corp,dc=example'], ['analyst'], '/analytics'],
    ])('goes by the roles the API granted, not by group names: %s', async (_case, groups, roles, expected) => {
      trpc.me.query.mockResolvedValue(meFor({ ...BOB.user, groups, roles }));
      expect(await navigate('/analytics')).toBe(expected);
    });

    it('starts sign-in when signed out', async () => {
      trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'session_expired'));
      await navigate('/analytics');
      expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/analytics`)]);
    });
  });
});
