/** Escapes text for HTML element content and quoted attribute values. */
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; background: #f3f5f8; color: #1c2733; margin: 0; }
  main { max-width: 22rem; margin: 4rem auto; background: #fff; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); padding: 2rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  p.banner { font-size: .8rem; color: #8a5a00; background: #fff4d6; padding: .4rem .6rem; border-radius: 4px; }
  label { display: block; margin-top: 1rem; font-size: .9rem; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; border: 1px solid #b8c2cc; border-radius: 4px; font-size: 1rem; }
  button { margin-top: 1.5rem; width: 100%; padding: .6rem; border: 0; border-radius: 4px; background: #1f5fbf; color: #fff; font-size: 1rem; cursor: pointer; }
  .error { color: #b00020; margin-top: 1rem; }
  button.secondary { background: #e3e8ef; color: #1c2733; margin-top: .5rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const BANNER = '<p class="banner">Development identity provider. Demo users and keys: never use in production.</p>';

export function loginPage(options: { action: string; login?: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>${BANNER}${error}
<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
  <label>Username <input name="login" required autofocus value="${escapeHtml(options.login ?? '')}"></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** The second factor: the demo users' one-time code, shown on the page (a development IdP has no phone to send it to). */
export function codePage(options: { action: string; login: string; code: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return page(
    'One-time code',
    `<h1>One-time code</h1>${BANNER}${error}
<p>A stronger sign-in is required for ${escapeHtml(options.login)}. The demo users' code is <strong>${escapeHtml(options.code)}</strong>.</p>
<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
  <label>Code <input name="code" inputmode="numeric" required autofocus></label>
  <button type="submit" name="action" value="verify">Verify</button>
  <button type="submit" name="action" value="cancel" formnovalidate class="secondary">Cancel</button>
</form>`,
  );
}

/** Development convenience: the logout confirmation submits itself. */
export function logoutPage(form: string): string {
  return page(
    'Signing out',
    `<h1>Signing out…</h1>${BANNER}${form}
<noscript><button type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button></noscript>
<script>var f=document.getElementById('op.logoutForm');var i=document.createElement('input');i.type='hidden';i.name='logout';i.value='yes';f.appendChild(i);f.submit();</script>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>${BANNER}<p>${escapeHtml(message)}</p>`);
}
