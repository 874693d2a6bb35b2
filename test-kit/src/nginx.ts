import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram, startProcess, stopProcess } from './processes.js';

/** A real nginx, unprivileged, with its own prefix directory. */
export interface Nginx {
  /** The access log, one `$upstream_addr $request_method $uri $status` line per request. */
  accessLog(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `server` (one or more `server { ... }` / `upstream { ... }` blocks)
 * inside a minimal `http { }` context of its own; fails loudly when nginx is missing
 * or refuses the configuration.
 */
export async function startNginx(server: string): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'bff-nginx-'));
  const conf = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  log_format upstreams '$upstream_addr $request_method $uri $status';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${server}
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const nginx = requireProgram('nginx', 'nginx', ['/usr/sbin/nginx']);
  try {
    execFileSync(nginx, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`nginx refused the configuration: ${String((error as { stderr?: unknown }).stderr)}`, { cause: error });
  }
  const child = startProcess(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
  return {
    accessLog: () => {
      try {
        return readFileSync(join(dir, 'access.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
