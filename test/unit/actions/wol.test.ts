import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import { magicPacket, WolDriver } from '../../../src/actions/wol';

describe('wake-on-lan driver', () => {
  it('sends the magic packet unicast to a loopback listener', async () => {
    const listener = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    const received = new Promise<Buffer>((resolve) => listener.once('message', resolve));
    try {
      const driver = new WolDriver('nas-wake', { type: 'wol', mac: '00:11:22:AA:bb:cc', address: '127.0.0.1', port: listener.address().port });
      const result = await driver.act('wake', { timeoutMs: 1000, force: false, signal: new AbortController().signal });
      assert.equal(result.detail, `magic packet for 00:11:22:AA:bb:cc sent to 127.0.0.1:${listener.address().port}`);
      const packet = await received;
      assert.equal(packet.length, 102);
      assert.ok(packet.subarray(0, 6).equals(Buffer.alloc(6, 0xff)));
      for (let copy = 0; copy < 16; copy += 1) assert.equal(packet.subarray(6 + copy * 6, 12 + copy * 6).toString('hex'), '001122aabbcc');
      assert.equal(await driver.verify('wake'), true);
    } finally {
      listener.close();
    }
  });

  it('dashes work too; a wrong MAC is refused', () => {
    assert.ok(magicPacket('00-11-22-33-44-55').equals(magicPacket('00:11:22:33:44:55')));
    assert.throws(() => magicPacket('00:11:22'), /not a MAC address/);
  });
});
