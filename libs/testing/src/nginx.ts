import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TEMPS = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

/**
 * Debian's nginx in a folder of its own (`dir`: its config, pid, error log and temporary files),
 * serving the `http { }` block's lines given, in the foreground. `stop` waits for it to exit: a
 * quitting nginx still writes in its folder, which the caller then removes.
 */
export function startNginx(dir: string, http: readonly string[]): { stop(): Promise<void> } {
  for (const temp of TEMPS) mkdirSync(join(dir, temp), { recursive: true });
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      // As root, nginx's workers would switch to a user that may not read the checkout.
      process.getuid?.() === 0 ? 'user root;' : '',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log;`,
      'events { worker_connections 256; }',
      'http {',
      '  access_log off;',
      ...TEMPS.map((t) => `  ${t === 'body' ? 'client_body' : t}_temp_path ${dir}/${t};`),
      ...http.map((line) => `  ${line}`),
      '}',
    ].join('\n'),
  );
  const nginx = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'ignore',
  });
  return {
    stop: async () => {
      if (nginx.exitCode !== null || nginx.signalCode !== null) return;
      const exited = new Promise((done) => nginx.once('exit', done));
      nginx.kill('SIGQUIT');
      await exited;
    },
  };
}
