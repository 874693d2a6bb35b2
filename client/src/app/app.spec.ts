import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { App } from './app';
import { Auth } from './core/auth';
import {
  ALICE,
  FRONT_ORIGIN,
  FakeSessionChannel,
  FakeWindowLocation,
  createFakeTrpc,
  loginUrlFor,
  provideFakes,
  trpcError,
  type FakeTrpc,
} from '../testing/fakes';

describe('App shell', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;
  let channel: FakeSessionChannel;

  async function render(): Promise<{ fixture: ComponentFixture<App>; el: HTMLElement }> {
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    location = new FakeWindowLocation();
    channel = new FakeSessionChannel();
    TestBed.configureTestingModule({ providers: [provideRouter([]), ...provideFakes(trpc, location, channel)] });
  });

  it('shows the user, the navigation and a sign-out button when signed in', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { el } = await render();

    expect(el.querySelector('[data-testid=header-user]')?.textContent).toContain('Alice Analyst');
    expect(el.querySelectorAll('nav a').length).toBeGreaterThanOrEqual(4);
    (el.querySelector('[data-testid=header-sign-out]') as HTMLButtonElement).click();
    expect(location.assigned).toEqual([ALICE.logoutUrl]);
  });

  it('shows a sign-in button and no navigation when signed out', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const { el } = await render();

    expect(el.querySelector('nav')).toBeNull();
    (el.querySelector('[data-testid=header-sign-in]') as HTMLButtonElement).click();
    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/`)]);
  });

  it('switches to the signed-out header when another tab signs out', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { fixture, el } = await render();

    channel.receive({ type: 'signed-out' });
    await fixture.whenStable();

    expect(el.querySelector('[data-testid=header-user]')).toBeNull();
    expect(el.querySelector('nav')).toBeNull();
    expect(el.querySelector('[data-testid=header-sign-in]')).not.toBeNull();
    expect(location.assigned).toEqual([]);
  });

  it('tells the other tabs when signing out', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { el } = await render();

    (el.querySelector('[data-testid=header-sign-out]') as HTMLButtonElement).click();

    expect(channel.posted).toEqual([{ type: 'signed-out' }]);
  });
});
