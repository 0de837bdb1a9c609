/**
 * The Proxmox VE API over node:https (PROTOCOLS.md §2): API-token auth, the
 * certificate pinned by its SHA-256 fingerprint (checked before a byte is
 * written) or checked against a CA file, a new connection per request so no
 * socket outlives the pin it was checked against.
 */
import * as https from 'node:https';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { ActionFailedError, HostKeyError, TargetAuthError, TargetUnreachableError } from '../../errors';
import { httpRequest } from '../http-json';

export interface ProxmoxApiOptions {
  where: string;
  url: string;
  /** `user@realm!tokenid=secret`. */
  token: string;
  fingerprint?: string;
  ca?: string;
  timeoutMs?: number;
}

const normalise = (fingerprint: string): string => fingerprint.replace(/:/g, '').toUpperCase();

export class ProxmoxApi {
  private readonly base: URL;
  /** One agent per pin, without keep-alive: no socket is ever reused past the check it passed. */
  private readonly agent: https.Agent;

  constructor(private readonly options: ProxmoxApiOptions) {
    this.base = new URL(options.url);
    const connect = (created: (error: Error | null, socket: Duplex) => void): undefined => this.connect(created);
    this.agent = new (class extends https.Agent {
      override createConnection(_options: unknown, created?: (error: Error | null, socket: Duplex) => void): undefined {
        return connect(created ?? (() => undefined));
      }
    })({ keepAlive: false });
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
    return this.call<T>('POST', path, params);
  }

  private async call<T>(method: string, path: string, params?: Record<string, string | number>): Promise<T> {
    const { where, token, timeoutMs = 15_000 } = this.options;
    const body = params === undefined ? undefined : new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)])).toString();
    const reply = await httpRequest(https, {
      host: this.base.hostname, port: Number(this.base.port || 8006), method, path: `/api2/json${path}`, agent: this.agent,
      headers: {
        Authorization: `PVEAPIToken=${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) }),
      },
    }, body, where, timeoutMs);
    if (reply.status === 200) return (JSON.parse(reply.body.toString('utf8')) as { data: T }).data;
    // The proxy's 401s have no body (and come after a deliberate delay): never rely on one.
    const message = reply.body.length > 0 ? ((JSON.parse(reply.body.toString('utf8')) as { message?: string }).message ?? '').trim() : '';
    if (reply.status === 401) throw new TargetAuthError(`${where}: the API token was refused (HTTP 401)`);
    if (reply.status === 403) throw new TargetAuthError(`${where}: ${message || 'permission check failed'} (HTTP 403): the token needs VM.PowerMgmt / Sys.PowerMgmt`);
    throw new ActionFailedError(`${where}: ${method} ${path.split('?')[0]}: ${message || `HTTP ${reply.status}`}`);
  }

  private connect(created: (error: Error | null, socket: Duplex) => void): undefined {
    const { fingerprint, ca, where } = this.options;
    const socket = tls.connect({
      host: this.base.hostname, port: Number(this.base.port || 8006), servername: net.isIP(this.base.hostname) ? undefined : this.base.hostname,
      // With a pin, the CA chain is not what we trust: the fingerprint is, and it is checked below.
      rejectUnauthorized: fingerprint === undefined, ...(ca === undefined ? {} : { ca }),
    } as tls.ConnectionOptions);
    socket.once('secureConnect', () => {
      if (fingerprint !== undefined) {
        const seen = socket.getPeerCertificate().fingerprint256;
        if (!seen || normalise(seen) !== normalise(fingerprint)) {
          socket.destroy();
          return created(new HostKeyError(`${where}: the certificate's SHA-256 fingerprint ${seen ?? '(none)'} is not the pinned ${fingerprint}; nothing was sent`), socket);
        }
      }
      created(null, socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const certificate = /certificate|self.signed|CERT|unable to verify/i.test(error.message);
      created(certificate
        ? new HostKeyError(`${where}: the certificate is not trusted (${error.message}): give tls_fingerprint or ca_file`)
        : new TargetUnreachableError(`${where}: ${error.code ?? ''} ${error.message}`.trim(), { cause: error }), socket);
    });
    return undefined;
  }
}
