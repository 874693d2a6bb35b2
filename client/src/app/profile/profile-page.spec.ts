import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ALICE, BOB, FakeWindowLocation, createFakeTrpc, networkError, provideFakes, settle, type FakeTrpc } from '../../testing/fakes';
import { Auth } from '../core/auth';
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
    location = new FakeWindowLocation();
    TestBed.configureTestingModule({ providers: [provideRouter([]), ...provideFakes(trpc, location)] });
  });

  it('shows a loading state while the session is unknown', async () => {
    trpc.me.query.mockReturnValue(new Promise(() => undefined));
    void TestBed.inject(Auth).load();
    const { el } = await render();
    expect(el.querySelector('[data-testid=profile-loading]')).not.toBeNull();
  });

  it('shows name, email, groups and session expiry from me', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    expect(el.querySelector('[data-testid=profile-name]')?.textContent).toContain('Alice Analyst');
    expect(el.querySelector('[data-testid=profile-email]')?.textContent).toContain('alice@example.test');
    expect([...el.querySelectorAll('[data-testid=profile-groups] li')].map((li) => li.textContent?.trim())).toEqual(['analysts']);
    expect(el.querySelector('[data-testid=profile-expires] time')?.getAttribute('datetime')).toBe(ALICE.session.expiresAt);
  });

  it('copes with a user without email or groups', async () => {
    trpc.me.query.mockResolvedValue(BOB);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    expect(el.querySelector('[data-testid=profile-email]')?.textContent?.trim()).not.toBe('');
    expect(el.querySelectorAll('[data-testid=profile-groups] li')).toHaveLength(0);
  });

  it('signs out by navigating to the logout URL', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    const { el } = await render();

    (el.querySelector('[data-testid=profile-sign-out]') as HTMLButtonElement).click();

    expect(location.assigned).toEqual([ALICE.logoutUrl]);
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
