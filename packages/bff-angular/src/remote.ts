/**
 * `@oidc-bff/angular/remote`: the downstream APIs the BFF forwards to (`/api/remote/<name>/...`),
 * for pages that call an existing REST API. An entry of its own so that it ships in the lazy
 * chunk of the page that uses it: an export of the root entry lands in every app's first
 * download, used or not (esbuild places a module by what reaches it, not by what uses it).
 */
export { injectRemoteApi, RemoteApiError, type RemoteApi, type RemoteCallOptions, type RemoteParser } from './api/remote-api.js';
