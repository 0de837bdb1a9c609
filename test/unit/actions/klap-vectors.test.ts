import { strict as assert } from 'node:assert';
import { authHash, handshakeHashes, KlapCipher } from '../../../src/actions/tapo/klap';

/** PROTOCOLS.md §3.1's vectors, checked against the client (the simulator's test checks them against the simulator). */
describe('Tapo KLAP: the §3.1 test vectors against the client', () => {
  const local = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const remote = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
  const auth = authHash('user@example.com', 'secret');

  it('auth hash and both handshake hashes', () => {
    assert.equal(auth.toString('hex'), 'b039216532fc844e9ae0cc8fe3ea911c9ba09c641bb96a3e1f776d93f7b5ae9b');
    const hashes = handshakeHashes(local, remote, auth);
    assert.equal(hashes.server.toString('hex'), '8ed3b905e654fbee23900d0244156a33029c025b71b03bfcc601eff33aaebb70');
    assert.equal(hashes.client.toString('hex'), '1e590e7a4dc128da48ed17e06fe23ddb6ec646bb6da2eb00708d590f194201d7');
  });

  it('session key, IV, sequence and signature; the first request body byte for byte', () => {
    const cipher = new KlapCipher(local, remote, auth);
    assert.equal(cipher.key.toString('hex'), '35dcf29cd535ce140a239c67f641d395');
    assert.equal(cipher.iv12.toString('hex'), '863e09a70667472d3fa152a4');
    assert.equal(cipher.seq, -903964344);
    assert.equal(cipher.sig.toString('hex'), '777443e2fdd5cb21052633a60e830f44c8654b3a701f449231ed11fa');
    const first = cipher.encrypt('{"method":"get_device_info"}');
    assert.equal(first.seq, -903964343);
    assert.equal(first.body.toString('hex'), '81da24b0a1db4c9ec2fd895b347d416921d7f7a822457b501a52072e5f9acebf1119b459358000bec16c976ef226a249c491bf18064c9319a51d85792116a683');
    assert.equal(cipher.decrypt(first.seq, first.body), '{"method":"get_device_info"}');
  });

  it('the sequence wraps as a signed 32-bit number', () => {
    const cipher = new KlapCipher(local, remote, auth);
    cipher.seq = 2_147_483_647;
    assert.equal(cipher.encrypt('{}').seq, -2_147_483_648);
  });
});
