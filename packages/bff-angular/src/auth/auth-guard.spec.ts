import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { FakeBffClient } from '../api/fake-bff-client.js';
import { loginUrlFor, meFor, trpcError } from '../api/fake-bff-api.js';
import { provideBffTesting } from '../provide-bff-testing.js';
import { roleGuard, sessionGuard } from './auth-guard.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN } from './fake-window-location.js';
import { LOGIN_ATTEMPT_KEY } from './login-flow.js';

const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] });
const BOB = meFor({ sub: 'bob', name: 'Bob Builder', email: null, groups: [], roles: [] });

@Component({ template: 'page' })
class Page {}

describe('guards', () => {
  let bff: FakeBffClient;
  let location: FakeWindowLocation;

  async function navigate(url: string): Promise<string> {
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url).catch(() => undefined);
    return TestBed.inject(Router).url;
  }

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'chat', component: Page, canActivate: [sessionGuard] },
          { path: 'analytics', component: Page, canActivate: [roleGuard('analyst')] },
          { path: 'forbidden', component: Page },
          { path: 'session-problem', component: Page },
          { path: '**', component: Page },
        ]),
        provideBffTesting(),
      ],
    });
    bff = TestBed.inject(FakeBffClient);
    location = TestBed.inject(FakeWindowLocation);
  });

  describe('sessionGuard', () => {
    it('lets a signed-in user in', async () => {
      bff.signIn(BOB);
      expect(await navigate('/chat')).toBe('/chat');
      expect(location.assigned).toEqual([]);
    });

    it('starts sign-in with the requested page as returnTo, and stays put, when signed out', async () => {
      bff.signOut('no_session');

      expect(await navigate('/chat?room=general')).not.toBe('/chat?room=general');

      expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat?room=general`)]);
    });

    it('shows the session problem instead of a second sign-in right after one', async () => {
      sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - 3_000));
      bff.signOut('no_session');

      const url = await navigate('/chat');

      expect(url.startsWith('/session-problem?')).toBe(true);
      expect(url).toContain('reason=no_session');
      expect(location.assigned).toEqual([]);
    });

    it('lets the page open, without sign-in, when the API answers SERVICE_UNAVAILABLE', async () => {
      bff.fail(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable'));
      expect(await navigate('/chat')).toBe('/chat');
      expect(location.assigned).toEqual([]);
    });

    it('lets the page open (and show its own error) when the API cannot be reached', async () => {
      bff.fail(new TypeError('Failed to fetch'));
      expect(await navigate('/chat')).toBe('/chat');
    });
  });

  describe('roleGuard', () => {
    it('lets a user with the role in', async () => {
      bff.signIn(ALICE);
      expect(await navigate('/analytics')).toBe('/analytics');
    });

    it('sends a signed-in user without the role to the forbidden page, naming the role', async () => {
      bff.signIn(BOB);
      expect(await navigate('/analytics')).toBe('/forbidden?role=analyst');
    });

    it.each([
      ['groups named like the role, without the role', ['analyst', 'analysts'], [], '/forbidden?role=analyst'],
      ['the role, granted through a directory group', ['cn=quants,ou=groups,dc=corp,dc=example'], ['analyst'], '/analytics'],
    ])('goes by the roles the API granted, not by group names: %s', async (_case, groups, roles, expected) => {
      bff.signIn(meFor({ ...BOB.user, groups, roles }));
      expect(await navigate('/analytics')).toBe(expected);
    });

    it('starts sign-in when signed out', async () => {
      bff.signOut('no_session');
      await navigate('/analytics');
      expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/analytics`)]);
    });

    it('starts a silent sign-in (prompt=none) when the session expired', async () => {
      bff.signOut('session_expired');
      await navigate('/analytics');
      expect(location.assigned).toEqual([`${loginUrlFor(`${FRONT_ORIGIN}/analytics`)}&prompt=none`]);
    });
  });
});
