import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LOGIN_ERROR_CODES, type LoginErrorCode } from '@bff/shared';
import { ALICE, BOB, FRONT_ORIGIN, FakeWindowLocation, createFakeTrpc, loginUrlFor, provideFakes, trpcError, type FakeTrpc } from '../../testing/fakes';
import { HomePage } from './home-page';
import { LOGIN_ERROR_MESSAGES, loginErrorMessage } from './login-error-messages';

describe('HomePage', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;

  async function render(url = '/'): Promise<HTMLElement> {
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, HomePage);
    await harness.fixture.whenStable();
    return harness.routeNativeElement as HTMLElement;
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    location = new FakeWindowLocation();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '', component: HomePage }]), ...provideFakes(trpc, location)],
    });
  });

  it('offers sign-in when signed out, coming back to this page', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render();

    (el.querySelector('[data-testid=sign-in]') as HTMLButtonElement).click();

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/`)]);
  });

  it('welcomes a signed-in user with shortcuts', async () => {
    trpc.me.query.mockResolvedValue(BOB);
    const el = await render();

    expect(el.querySelector('h1')?.textContent).toContain('Bob Builder');
    expect(el.querySelectorAll('[data-testid=shortcuts] a')).toHaveLength(3);
    expect(el.querySelector('[data-testid=sign-in]')).toBeNull();
  });

  it('explains a failed sign-in given as ?auth_error=', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render('/?auth_error=access_denied');

    const notice = el.querySelector('[data-testid=login-error]');
    expect(notice?.getAttribute('role')).toBe('alert');
    expect(notice?.textContent).toContain(LOGIN_ERROR_MESSAGES.access_denied);
  });

  it('shows no sign-in error without ?auth_error=', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const el = await render();
    expect(el.querySelector('[data-testid=login-error]')).toBeNull();
  });

  it('offers a retry when the service cannot be reached', async () => {
    trpc.me.query.mockRejectedValue(new TypeError('Failed to fetch'));
    const el = await render();
    expect(el.querySelector('[data-testid=session-unavailable] button')).not.toBeNull();
  });
});

describe('loginErrorMessage', () => {
  it('has a distinct sentence for every login error code', () => {
    const codes = Object.keys(LOGIN_ERROR_MESSAGES) as LoginErrorCode[];
    const sentences = codes.map((code) => loginErrorMessage(code));
    expect(codes).toEqual([...LOGIN_ERROR_CODES]);
    expect(new Set(sentences).size).toBe(codes.length);
    expect(sentences.every((s) => typeof s === 'string' && s.length > 20)).toBe(true);
  });

  it('has a generic sentence for an unknown code and none without a code', () => {
    expect(loginErrorMessage('made_up')).toEqual(expect.any(String));
    expect(loginErrorMessage('toString')).not.toBe(loginErrorMessage('access_denied'));
    expect(loginErrorMessage(null)).toBeNull();
  });
});
