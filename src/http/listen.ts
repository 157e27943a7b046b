import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConfigError } from '../errors.ts';

/** Serves `app`; a port someone else holds is one clear line (a ConfigError), not an unhandled 'error' event. */
export function listen(app: Hono, host: string, port: number): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, () => {
      server.off('error', failed);
      resolve(server);
    });
    const failed = (error: NodeJS.ErrnoException) => {
      server.close();
      if (error.code === 'EADDRINUSE') reject(new ConfigError('PORT', `PORT ${port} is in use; set PORT to a free port.`));
      else if (error.code === 'EACCES') reject(new ConfigError('PORT', `PORT ${port} needs privileges Herold does not have; set PORT to one above 1023.`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new ConfigError('HOST', `HOST ${host} is not an address of this machine; set HOST (0.0.0.0 listens on all).`));
      else reject(error);
    };
    server.once('error', failed);
  });
}

/** The URL the server answers on, with the port it really got. */
export function serverUrl(server: ServerType, host: string, port: number): string {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}`;
}
