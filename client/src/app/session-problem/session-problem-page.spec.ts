import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LOGIN_ATTEMPT_KEY } from '@oidc-bff/angular';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN, loginUrlFor, provideBffTesting } from '@oidc-bff/angular/testing';
import { SessionProblemPage } from './session-problem-page';

describe('SessionProblemPage', () => {
  let location: FakeWindowLocation;

  async function render(url: string, apiUrl?: string): Promise<HTMLElement> {
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 'session-problem', component: SessionProblemPage }]), provideBffTesting(apiUrl ? { apiUrl } : {})],
    });
    location = TestBed.inject(FakeWindowLocation);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url, SessionProblemPage);
    await harness.fixture.whenStable();
    return harness.routeNativeElement as HTMLElement;
  }

  beforeEach(() => sessionStorage.clear());

  it('retries deliberately: forgets the attempt and signs in back to the page the user wanted', async () => {
    const el = await render('/session-problem?reason=no_session&from=%2Fchat');
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));

    (el.querySelector('[data-testid=try-again]') as HTMLButtonElement).click();

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat`)]);
    // login() records a fresh attempt, so a second failure is again caught as a loop.
    expect(Number(sessionStorage.getItem(LOGIN_ATTEMPT_KEY))).toBeGreaterThan(Date.now() - 1_000);
  });

  it('shows the reason, and only a known one', async () => {
    let el = await render('/session-problem?reason=invalid_session');
    expect(el.querySelector('[data-testid=problem-reason]')?.textContent).toBe('invalid_session');
    TestBed.resetTestingModule();
    el = await render('/session-problem?reason=%3Cscript%3E');
    expect(el.querySelector('[data-testid=problem-reason]')?.textContent).toBe('unknown');
  });

  it('points out an http/https mismatch between the page and the API', async () => {
    const mismatch = await render('/session-problem?reason=no_session', 'http://api.example.test');
    expect(mismatch.querySelector('[data-testid=scheme-mismatch]')).not.toBeNull();
    TestBed.resetTestingModule();
    const same = await render('/session-problem?reason=no_session');
    expect(same.querySelector('[data-testid=scheme-mismatch]')).toBeNull();
  });
});
