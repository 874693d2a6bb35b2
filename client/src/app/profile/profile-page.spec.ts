import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FakeWindowLocation, meFor, networkError, provideBffTesting } from '@oidc-bff/angular/testing';
import { createFakeTrpc, deviceSession, type FakeTrpc } from '../../testing/fake-api';
import { ALICE, BOB } from '../../testing/users';
import { settle } from '../../testing/settle';
import { Auth, ServiceStatus } from '@oidc-bff/angular';
import { ProfilePage } from './profile-page';

describe('ProfilePage', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;

  async function render(): Promise<{ fixture: ComponentFixture<ProfilePage>; el: HTMLElement }> {
    const fixture = TestBed.createComponent(ProfilePage);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    trpc.sessions.list.query.mockResolvedValue([deviceSession('here', { current: true })]);
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting({ client: trpc })] });
    location = TestBed.inject(FakeWindowLocation);
  });

  it('shows a loading state while the session is unknown', async () => {
    trpc.me.query.mockReturnValue(new Promise(() => undefined));
    void TestBed.inject(Auth).load();
    const { el } = await render();
    expect(el.querySelector('[data-testid=profile-loading]')).not.toBeNull();
  });

  it('shows name, email, roles, raw groups and session expiry from me', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    expect(el.querySelector('[data-testid=profile-name]')?.textContent).toContain('Alice Analyst');
    expect(el.querySelector('[data-testid=profile-email]')?.textContent).toContain('alice@example.test');
    expect([...el.querySelectorAll('[data-testid=profile-roles] li')].map((li) => li.textContent?.trim())).toEqual(['analyst']);
    expect([...el.querySelectorAll('[data-testid=profile-groups] li')].map((li) => li.textContent?.trim())).toEqual(['analysts']);
    expect(el.querySelector('[data-testid=profile-expires] time')?.getAttribute('datetime')).toBe(ALICE.session.expiresAt);
  });

  it('copes with a user without email, roles or groups', async () => {
    trpc.me.query.mockResolvedValue(BOB);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    expect(el.querySelector('[data-testid=profile-email]')?.textContent?.trim()).not.toBe('');
    expect(el.querySelectorAll('[data-testid=profile-groups] li')).toHaveLength(0);
    expect(el.querySelectorAll('[data-testid=profile-roles] li')).toHaveLength(0);
    expect(el.querySelector('[data-testid=profile-roles]')?.textContent).toContain('None');
  });

  it('shows directory groups as they are, as distinguished names', async () => {
    const dn = 'cn=quants,ou=groups,dc=corp,dc=example';
    trpc.me.query.mockResolvedValue(meFor({ ...ALICE.user, groups: [dn], roles: ['analyst'] }));
    await TestBed.inject(Auth).load();
    const { el } = await render();

    expect(el.querySelector('[data-testid=profile-groups] code')?.textContent).toBe(dn);
    expect(el.querySelector('[data-testid=profile-roles] li')?.textContent?.trim()).toBe('analyst');
  });

  it('lists the signed-in devices under the session', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { fixture, el } = await render();
    await settle(fixture);

    const region = el.querySelector('app-signed-in-devices');
    expect(region?.getAttribute('role')).toBe('region');
    expect(el.querySelector(`#${region?.getAttribute('aria-labelledby')}`)?.textContent).toContain('Signed-in devices');
    expect(region?.querySelectorAll('[data-testid=device]')).toHaveLength(1);
    expect(region?.querySelector('[data-testid=device-current]')).not.toBeNull();
  });

  it('signs out by navigating to the logout URL', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    (el.querySelector('[data-testid=profile-sign-out]') as HTMLButtonElement).click();

    expect(location.assigned).toEqual([ALICE.logoutUrl]);
  });

  it('keeps showing the profile while the API is unavailable', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { fixture, el } = await render();

    TestBed.inject(ServiceStatus).reportUnavailable();
    await fixture.whenStable();

    expect(TestBed.inject(Auth).status()).toBe('unavailable');
    expect(el.querySelector('[data-testid=profile-name]')?.textContent).toContain('Alice Analyst');
    expect(el.querySelector('[data-testid=profile-error]')).toBeNull();
  });

  it('shows an error with a retry when the session cannot be loaded', async () => {
    trpc.me.query.mockRejectedValueOnce(networkError()).mockResolvedValueOnce(ALICE);
    await TestBed.inject(Auth).load();
    const { fixture, el } = await render();

    const error = el.querySelector('[data-testid=profile-error]');
    expect(error?.getAttribute('role')).toBe('alert');
    (error?.querySelector('button') as HTMLButtonElement).click();
    await settle(fixture);

    expect(el.querySelector('[data-testid=profile-name]')?.textContent).toContain('Alice Analyst');
  });
});
