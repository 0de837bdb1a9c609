/**
 * Wake-on-LAN: the magic packet (6 × 0xFF, then the MAC 16 times) by UDP to
 * the configured address — unicast, or a broadcast address if that is what the
 * user wrote. There is no answer to probe or verify.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { TargetConfigError, TargetUnreachableError } from '../errors';
import type { Op, WolTarget } from '../policy/spec';
import type { ActContext, ActResult, Driver, ProbeResult } from './driver';

export function magicPacket(mac: string): Buffer {
  const bytes = Buffer.from(mac.replace(/[:-]/g, ''), 'hex');
  if (bytes.length !== 6) throw new TargetConfigError(`not a MAC address: ${mac}`);
  return Buffer.concat([Buffer.alloc(6, 0xff), ...Array.from({ length: 16 }, () => bytes)]);
}

export class WolDriver implements Driver {
  constructor(readonly target: string, private readonly spec: WolTarget) {}

  probe(): Promise<ProbeResult> {
    return Promise.resolve({ reachable: false, authenticated: false, state: 'unknown', detail: `wol ${this.target}: Wake-on-LAN has nothing to ask` });
  }

  async act(op: Op, _context: ActContext): Promise<ActResult> {
    if (op !== 'wake') throw new TargetConfigError(`wol ${this.target}: a wol target can only wake, not ${op}`);
    const port = this.spec.port ?? 9;
    const socket = dgram.createSocket(net.isIPv6(this.spec.address.replace(/^\[|\]$/g, '')) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, () => {
          // Only lets the packet go to a broadcast address when that is the configured one.
          socket.setBroadcast(true);
          socket.send(magicPacket(this.spec.mac), port, this.spec.address.replace(/^\[|\]$/g, ''), (error) => (error ? reject(error) : resolve()));
        });
      });
    } catch (error) {
      throw new TargetUnreachableError(`wol ${this.target}: could not send to ${this.spec.address}:${port}: ${(error as Error).message}`, { cause: error });
    } finally {
      socket.close();
    }
    return { detail: `magic packet for ${this.spec.mac} sent to ${this.spec.address}:${port}` };
  }

  /** A magic packet has no acknowledgement: sent is all that can be known. */
  verify(op: Op): Promise<boolean> {
    return Promise.resolve(op === 'wake');
  }
}
