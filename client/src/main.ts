import { bootstrapApplication } from '@angular/platform-browser';
import { BffConfigError } from '@oidc-bff/angular';
import { appConfig } from './app/app.config';
import { App } from './app/app';

bootstrapApplication(App, appConfig).catch((error: unknown) => {
  if (error instanceof BffConfigError) {
    showStartupProblem(error.message);
    return;
  }
  // eslint-disable-next-line no-console -- Angular never started, so no error handler of its own can report this.
  console.error(error);
  showStartupProblem('The application failed to start.');
});

/** Angular never started, so the message is plain DOM (styled by styles.css). */
function showStartupProblem(problem: string): void {
  const box = document.createElement('div');
  box.className = 'startup-problem';
  box.setAttribute('role', 'alert');
  const title = document.createElement('h1');
  title.textContent = 'This application cannot start';
  const detail = document.createElement('p');
  detail.textContent = problem;
  const hint = document.createElement('p');
  hint.textContent = 'Whoever deployed it should check config.json next to index.html, for example {"apiUrl": "https://api.example.com"}.';
  box.append(title, detail, hint);
  document.querySelector('app-root')?.replaceChildren(box);
}
