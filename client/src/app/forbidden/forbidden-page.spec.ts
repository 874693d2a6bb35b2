import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Auth } from '@oidc-bff/angular';
import { provideBffTesting } from '@oidc-bff/angular/testing';
import { createFakeTrpc } from '../../testing/fake-api';
import { BOB } from '../../testing/users';
import { ForbiddenPage } from './forbidden-page';

describe('ForbiddenPage', () => {
  it('names the role the page needs, and the roles the user has', async () => {
    const trpc = createFakeTrpc();
    trpc.me.query.mockResolvedValue(BOB);
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: 'forbidden', component: ForbiddenPage }]), provideBffTesting({ client: trpc })],
    });
    await TestBed.inject(Auth).load();

    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/forbidden?role=analyst', ForbiddenPage);
    await harness.fixture.whenStable();

    const el = harness.routeNativeElement as HTMLElement;
    expect(el.querySelector('[data-testid=forbidden] strong')?.textContent).toBe('analyst');
    expect(el.querySelector('[data-testid=forbidden-user]')?.textContent).toContain('without any role');
  });
});
