import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LOGIN_ERROR_CODES } from '@oidc-bff/protocol';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN, loginUrlFor, provideBffTesting, trpcError } from '@oidc-bff/angular/testing';
import { createFakeTrpc, type FakeTrpc } from '../../testing/fake-api';
import { ALICE, BOB } from '../../testing/users';
import { HomePage } from './home-page';
import { LOGIN_ERROR_EXPLANATIONS, SHOW_OPERATOR_CHECKS, explainLoginError } from './login-error-messages';

describe('HomePage', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;

  async function render(url = '/', operatorChecks?: boolean): Promise<HTMLElement> {
    if (operatorChecks !== undefined) TestBed.overrideProvider(SHOW_OPERATOR_CHECKS, { useValue: operatorChecks });
    // Injected only now: overrideProvider must come before the test module is instantiated.
    location = TestBed.inject(FakeWindowLocation);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, HomePage);
    await harness.fixture.whenStable();
    return harness.routeNativeElement as HTMLElement;
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '', component: HomePage }]), provideBffTesting({ client: trpc })],
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
    expect(notice?.textContent).toContain(LOGIN_ERROR_EXPLANATIONS.access_denied.happened);
  });

  function text(el: HTMLElement, id: string): string | undefined {
    return el.querySelector(`[data-testid=${id}]`)?.textContent?.trim();
  }

  it.each(LOGIN_ERROR_CODES.map((code) => [code]))('explains ?auth_error=%s: what happened, what to do, and what the operator should check', async (code) => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render(`/?auth_error=${code}`, true);
    const explained = LOGIN_ERROR_EXPLANATIONS[code];

    expect(el.querySelector('[data-testid=login-error]')?.getAttribute('role')).toBe('alert');
    expect(text(el, 'login-error-happened')).toBe(explained.happened);
    expect(text(el, 'login-error-action')).toContain(explained.userAction);
    expect(text(el, 'login-error-operator')).toContain(explained.operatorCheck);
    expect(el.textContent).toContain(`Reference: ${code}`);
  });

  it('keeps the operator’s part out of production builds', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render('/?auth_error=access_token_invalid', false);

    expect(text(el, 'login-error-happened')).toBe(LOGIN_ERROR_EXPLANATIONS.access_token_invalid.happened);
    expect(el.querySelector('[data-testid=login-error-operator]')).toBeNull();
  });

  it('shows the operator’s part in development builds by default', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render('/?auth_error=state_mismatch');
    expect(el.querySelector('[data-testid=login-error-operator]')).not.toBeNull();
  });

  it('explains a code it does not know generically, with the code as reference', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const el = await render('/?auth_error=made_up');
    expect(text(el, 'login-error-happened')).toBe(explainLoginError('made_up')?.happened);
    expect(el.textContent).toContain('Reference: made_up');
  });

  it('drops ?auth_error= when the explanation is dismissed', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/?auth_error=state_mismatch&x=1', HomePage);
    await harness.fixture.whenStable();
    const el = harness.routeNativeElement as HTMLElement;

    (el.querySelector('[data-testid=login-error] button') as HTMLButtonElement).click();
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/?x=1');
    expect(el.querySelector('[data-testid=login-error]')).toBeNull();
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
