import * as net from 'node:net';
import * as tls from 'node:tls';
import { NutConnectionError, NutProtocolError } from '../errors';
import { errorFromReply, LineFramer, preview, requestLine, tokenizeReply } from './protocol';

export interface NutTlsOptions {
  /** PEM CA bundle that signed upsd's certificate; without it the system store is used. */
  ca?: string | Buffer;
  /** Name to verify in the certificate (default: the host). */
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface NutClientOptions {
  host: string;
  port?: number;
  /** Per-request timeout; a request unanswered in time closes the connection (replies could no longer be matched). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface VarType {
  rw: boolean;
  enum: boolean;
  range: boolean;
  kind: 'STRING' | 'NUMBER' | 'UNKNOWN';
  maxLength?: number;
}

export interface Tracked {
  /** The tracking id when SET TRACKING is on. */
  tracking?: string;
}

interface Pending {
  line: string;
  describe: string;
  list?: string;
  started: boolean;
  lines: string[];
  timer: NodeJS.Timeout;
  resolve: (value: string | string[]) => void;
  reject: (error: Error) => void;
}

/**
 * A client of upsd's network protocol (RFC 9271, PROTOCOLS.md §1). Requests may
 * be pipelined: replies come back one per request, in order. Every request has
 * a timeout; any loss of sync (timeout, unsolicited line) closes the connection
 * rather than risk matching a reply to the wrong request.
 */
export class NutClient {
  readonly host: string;
  readonly port: number;
  private socket: net.Socket;
  private framer = new LineFramer();
  private queue: Pending[] = [];
  private closedError: Error | undefined;
  private readonly closeListeners: Array<(error: Error | undefined) => void> = [];
  private readonly timeoutMs: number;

  private constructor(socket: net.Socket, options: NutClientOptions) {
    this.socket = socket;
    this.host = options.host;
    this.port = options.port ?? 3493;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.attach(socket);
  }

  get address(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  static connect(options: NutClientOptions): Promise<NutClient> {
    const port = options.port ?? 3493;
    const where = `${options.host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: options.host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NutConnectionError(`cannot connect to upsd at ${where}: no answer within ${options.connectTimeoutMs ?? 5000} ms`));
      }, options.connectTimeoutMs ?? 5000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new NutClient(socket, options));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint = error.code === 'ECONNREFUSED' ? ' (is upsd running and listening there? see LISTEN in upsd.conf)' : '';
        reject(new NutConnectionError(`cannot connect to upsd at ${where}: ${error.code ?? error.message}${hint}`, { cause: error }));
      });
    });
  }

  onClose(listener: (error: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }

  close(): void {
    this.fail(new NutConnectionError(`connection to upsd at ${this.address} closed by the client`), false);
  }

  // --- plain commands ---------------------------------------------------------------

  ver(): Promise<string> {
    return this.single(['VER']);
  }
  netver(): Promise<string> {
    return this.single(['NETVER']);
  }
  protver(): Promise<string> {
    return this.single(['PROTVER']);
  }
  help(): Promise<string> {
    return this.single(['HELP']);
  }

  async username(name: string): Promise<void> {
    this.expectOk(await this.single(['USERNAME', name]), 'USERNAME');
  }
  async password(secret: string): Promise<void> {
    this.expectOk(await this.single(['PASSWORD', secret], 'PASSWORD ********'), 'PASSWORD');
  }
  /** Registers as a client of `ups` (upsmon's secondary login): a primary waits for us before cutting power. */
  async login(ups: string): Promise<void> {
    this.expectOk(await this.single(['LOGIN', ups]), 'LOGIN');
  }
  /** Says goodbye; upsd then closes the connection. */
  async logout(): Promise<void> {
    const reply = await this.single(['LOGOUT']);
    if (!reply.startsWith('OK') && !reply.startsWith('Goodbye')) throw this.unexpected('LOGOUT', reply);
    this.close();
  }
  /** PRIMARY on upsd ≥ 2.8.0, MASTER before it; either reply starts with OK. */
  async primary(ups: string): Promise<void> {
    let reply: string;
    try {
      reply = await this.single(['PRIMARY', ups]);
    } catch (error) {
      if (!(error instanceof NutProtocolError) || error.nutCode !== 'UNKNOWN-COMMAND') throw error;
      reply = await this.single(['MASTER', ups]);
    }
    this.expectOk(reply, 'PRIMARY');
  }
  async master(ups: string): Promise<void> {
    this.expectOk(await this.single(['MASTER', ups]), 'MASTER');
  }
  async fsd(ups: string): Promise<void> {
    this.expectOk(await this.single(['FSD', ups]), 'FSD');
  }

  // --- GET -------------------------------------------------------------------------

  async getVar(ups: string, name: string): Promise<string> {
    return this.field(await this.single(['GET', 'VAR', ups, name]), ['VAR', ups, name]);
  }
  async getType(ups: string, name: string): Promise<VarType> {
    const words = this.words(await this.single(['GET', 'TYPE', ups, name]), ['TYPE', ups, name]);
    const type: VarType = { rw: words.includes('RW'), enum: words.includes('ENUM'), range: words.includes('RANGE'), kind: 'UNKNOWN' };
    for (const word of words) {
      if (word === 'NUMBER') type.kind = 'NUMBER';
      const string = /^STRING:(\d+)$/.exec(word);
      if (string) {
        type.kind = 'STRING';
        type.maxLength = Number(string[1]);
      }
    }
    return type;
  }
  async getDesc(ups: string, name: string): Promise<string> {
    return this.field(await this.single(['GET', 'DESC', ups, name]), ['DESC', ups, name]);
  }
  async getCmdDesc(ups: string, command: string): Promise<string> {
    return this.field(await this.single(['GET', 'CMDDESC', ups, command]), ['CMDDESC', ups, command]);
  }
  async getUpsDesc(ups: string): Promise<string> {
    return this.field(await this.single(['GET', 'UPSDESC', ups]), ['UPSDESC', ups]);
  }
  async getNumLogins(ups: string): Promise<number> {
    const value = this.field(await this.single(['GET', 'NUMLOGINS', ups]), ['NUMLOGINS', ups]);
    if (!/^\d+$/.test(value)) throw this.unexpected('GET NUMLOGINS', value);
    return Number(value);
  }
  /** PENDING or SUCCESS; a failed or unknown id is an error (ERR FAILED, ERR UNKNOWN). */
  async getTracking(id: string): Promise<'PENDING' | 'SUCCESS'> {
    const reply = await this.single(['GET', 'TRACKING', id]);
    if (reply !== 'PENDING' && reply !== 'SUCCESS') throw this.unexpected('GET TRACKING', reply);
    return reply;
  }

  // --- LIST ------------------------------------------------------------------------

  async listUps(): Promise<Array<{ name: string; description: string }>> {
    return (await this.list(['UPS'])).map((line) => {
      const [, name = '', description = ''] = this.words(line, ['UPS']);
      return { name, description };
    });
  }
  async listVar(ups: string): Promise<Record<string, string>> {
    return this.pairs(await this.list(['VAR', ups]), ['VAR', ups]);
  }
  async listRw(ups: string): Promise<Record<string, string>> {
    return this.pairs(await this.list(['RW', ups]), ['RW', ups]);
  }
  async listCmd(ups: string): Promise<string[]> {
    return (await this.list(['CMD', ups])).map((line) => this.field(line, ['CMD', ups]));
  }
  async listEnum(ups: string, name: string): Promise<string[]> {
    return (await this.list(['ENUM', ups, name])).map((line) => this.field(line, ['ENUM', ups, name]));
  }
  async listRange(ups: string, name: string): Promise<Array<{ min: string; max: string }>> {
    return (await this.list(['RANGE', ups, name])).map((line) => {
      const words = this.words(line, ['RANGE', ups, name]);
      return { min: words[3] ?? '', max: words[4] ?? '' };
    });
  }
  async listClient(ups: string): Promise<string[]> {
    return (await this.list(['CLIENT', ups])).map((line) => this.field(line, ['CLIENT', ups]));
  }

  // --- SET, INSTCMD, TRACKING -------------------------------------------------------

  async setVar(ups: string, name: string, value: string): Promise<Tracked> {
    return this.tracked(await this.single(['SET', 'VAR', ups, name, value]), 'SET VAR');
  }
  async setTracking(on: boolean): Promise<void> {
    this.expectOk(await this.single(['SET', 'TRACKING', on ? 'ON' : 'OFF']), 'SET TRACKING');
  }
  async instcmd(ups: string, command: string, parameter?: string): Promise<Tracked> {
    const words = parameter === undefined ? ['INSTCMD', ups, command] : ['INSTCMD', ups, command, parameter];
    return this.tracked(await this.single(words), 'INSTCMD');
  }

  // --- STARTTLS --------------------------------------------------------------------

  /** Upgrades this connection to TLS (upsd must have a certificate: else ERR FEATURE-NOT-CONFIGURED). */
  async startTls(options: NutTlsOptions = {}): Promise<void> {
    if (this.queue.length > 0) throw new NutProtocolError('INVALID-ARGUMENT', 'STARTTLS must be the only request in flight');
    this.expectOk(await this.single(['STARTTLS']), 'STARTTLS');
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({
        socket: plain,
        servername: options.servername ?? (net.isIP(this.host) ? undefined : this.host),
        ca: options.ca,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
      });
      socket.once('secureConnect', () => resolve(socket));
      socket.once('error', (error: Error) => reject(new NutConnectionError(`TLS with upsd at ${this.address} failed: ${error.message}`, { cause: error })));
    });
    this.socket = secure;
    this.attach(secure);
  }

  // --- plumbing --------------------------------------------------------------------

  private attach(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => this.fail(new NutConnectionError(`connection to upsd at ${this.address} failed: ${error.message}`, { cause: error }), true));
    socket.on('close', () => this.fail(new NutConnectionError(`upsd at ${this.address} closed the connection`), true));
  }

  private receive(chunk: string): void {
    let lines: string[];
    try {
      lines = this.framer.push(chunk);
    } catch (error) {
      this.fail(error as Error, true);
      return;
    }
    for (const line of lines) {
      const head = this.queue[0];
      if (head === undefined) {
        this.fail(new NutProtocolError('UNEXPECTED-REPLY', `upsd at ${this.address} sent a line nobody asked for: ${preview(line)}`), true);
        return;
      }
      this.route(head, line);
    }
  }

  private route(head: Pending, line: string): void {
    if (head.list === undefined || !head.started) {
      const error = errorFromReply(line, `upsd at ${this.address} refused "${head.describe}"`);
      if (error) return this.settle(head, () => head.reject(error));
      if (head.list === undefined) return this.settle(head, () => head.resolve(line));
      if (line !== `BEGIN LIST ${head.list}`) {
        return this.settle(head, () => head.reject(this.unexpected(head.describe, line)));
      }
      head.started = true;
      return;
    }
    if (line === `END LIST ${head.list}`) return this.settle(head, () => head.resolve(head.lines));
    head.lines.push(line);
  }

  private settle(head: Pending, finish: () => void): void {
    clearTimeout(head.timer);
    this.queue.shift();
    finish();
  }

  private send(words: string[], describe: string, list?: string): Promise<string | string[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    let line: string;
    try {
      line = requestLine(words);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new NutConnectionError(`upsd at ${this.address} did not answer "${describe}" within ${this.timeoutMs} ms`), true);
      }, this.timeoutMs);
      this.queue.push({ line, describe, started: false, lines: [], timer, resolve, reject, ...(list === undefined ? {} : { list }) });
      this.socket.write(`${line}\n`);
    });
  }

  private single(words: string[], describe = words.join(' ')): Promise<string> {
    return this.send(words, describe) as Promise<string>;
  }

  private list(query: string[]): Promise<string[]> {
    const header = query.map((word) => requestLine([word])).join(' ');
    return this.send(['LIST', ...query], `LIST ${query.join(' ')}`, header) as Promise<string[]>;
  }

  /** Ends the connection once: every request in flight fails with `error`. */
  private fail(error: Error, destroy: boolean): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const pending of this.queue.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    if (destroy) this.socket.destroy();
    else this.socket.end();
    for (const listener of this.closeListeners) listener(destroy ? error : undefined);
  }

  private words(line: string, prefix: string[]): string[] {
    const words = tokenizeReply(line);
    if (prefix.some((word, index) => words[index] !== word)) throw this.unexpected(prefix.join(' '), line);
    return words;
  }

  /** The value after `prefix`: `VAR ups name "value"` → value. */
  private field(line: string, prefix: string[]): string {
    const words = this.words(line, prefix);
    if (words.length !== prefix.length + 1) throw this.unexpected(prefix.join(' '), line);
    return words[prefix.length] as string;
  }

  private pairs(lines: string[], prefix: string[]): Record<string, string> {
    const result: Record<string, string> = {};
    for (const line of lines) {
      const words = this.words(line, prefix);
      const name = words[prefix.length];
      const value = words[prefix.length + 1];
      if (name === undefined || value === undefined) throw this.unexpected(prefix.join(' '), line);
      result[name] = value;
    }
    return result;
  }

  private expectOk(reply: string, command: string): void {
    if (reply !== 'OK' && !reply.startsWith('OK ')) throw this.unexpected(command, reply);
  }

  private tracked(reply: string, command: string): Tracked {
    this.expectOk(reply, command);
    const match = /^OK TRACKING (\S+)$/.exec(reply);
    return match ? { tracking: match[1] as string } : {};
  }

  private unexpected(command: string, line: string): NutProtocolError {
    return new NutProtocolError('UNEXPECTED-REPLY', `upsd at ${this.address} answered "${command}" with ${preview(line)}`);
  }
}
