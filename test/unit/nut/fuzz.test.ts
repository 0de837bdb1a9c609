import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { NutAuthError, NutConnectionError, NutProtocolError, WalnutError } from '../../../src/errors';
import { NutClient } from '../../../src/nut/client';
import { errorFromReply, LineFramer, tokenizeReply } from '../../../src/nut/protocol';

/** Seeded, so a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  'VAR dummy ups.status "OB DISCHRG"', 'BEGIN LIST VAR dummy', 'END LIST VAR dummy', 'UPS dummy "Test \\"UPS\\" \\#1"',
  'OK', 'OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263', 'ERR ACCESS-DENIED', 'ERR DATA-STALE', 'TYPE dummy x RW STRING:64',
  'RANGE dummy v "1" "10"', 'CMD dummy load.off', 'NUMLOGINS dummy 1', 'Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/',
];
const ALPHABET = ' "\\#\t\r\x00\x7fAZaz09._-:ÿ€\u2028';

function randomLine(random: () => number): string {
  const base = VALID[Math.floor(random() * VALID.length)] ?? '';
  const mode = random();
  if (mode < 0.4) {
    // Mutate a valid line: flip, insert or delete characters.
    const chars = [...base];
    const edits = 1 + Math.floor(random() * 4);
    for (let i = 0; i < edits; i += 1) {
      const at = Math.floor(random() * (chars.length + 1));
      const char = ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'x';
      const op = random();
      if (op < 0.33) chars.splice(at, 0, char);
      else if (op < 0.66) chars.splice(at, 1);
      else chars[at] = char;
    }
    return chars.join('');
  }
  if (mode < 0.8) {
    const length = Math.floor(random() * 120);
    let line = '';
    for (let i = 0; i < length; i += 1) line += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return line;
  }
  return String.fromCharCode(...Array.from({ length: Math.floor(random() * 60) }, () => Math.floor(random() * 256)));
}

describe('NUT reply parser fuzz', function () {
  this.timeout(120_000);

  it('120,000 random and mutated lines: tokenizer, ERR mapping and framer raise only typed errors', () => {
    const random = prng(9271);
    const framer = new LineFramer();
    let typed = 0;
    for (let i = 0; i < 120_000; i += 1) {
      const line = randomLine(random);
      try {
        tokenizeReply(line);
        errorFromReply(line, 'fuzz');
      } catch (error) {
        assert.ok(error instanceof NutProtocolError, `untyped error for ${JSON.stringify(line)}: ${String(error)}`);
        typed += 1;
      }
      // Random chunk boundaries through the framer.
      const cut = Math.floor(random() * (line.length + 1));
      framer.push(line.slice(0, cut));
      framer.push(`${line.slice(cut)}\n`);
    }
    assert.ok(typed > 1000, 'the corpus did reach the error paths');
  });

  it('a client fed garbage replies over TCP fails each request with a typed error, never hangs', async () => {
    const random = prng(3493);
    const server = net.createServer((socket) => {
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        for (const request of chunk.split('\n').filter(Boolean)) {
          const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomLine(random).replace(/\n/g, ''));
          if (request.startsWith('LIST') && random() < 0.5) lines.unshift(`BEGIN ${request}`);
          socket.write(`${lines.join('\n')}\n`);
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const outcomes = { ok: 0, typed: 0 };
    try {
      for (let i = 0; i < 400; i += 1) {
        const client = await NutClient.connect({ host: '127.0.0.1', port, timeoutMs: 300 });
        const requests = [client.listVar('dummy'), client.getVar('dummy', 'ups.status'), client.listUps(), client.ver()];
        for (const result of await Promise.allSettled(requests)) {
          if (result.status === 'fulfilled') outcomes.ok += 1;
          else {
            const error = result.reason as unknown;
            assert.ok(error instanceof WalnutError && (error instanceof NutProtocolError || error instanceof NutConnectionError || error instanceof NutAuthError), `untyped: ${String(error)}`);
            outcomes.typed += 1;
          }
        }
        client.close();
      }
    } finally {
      server.close();
    }
    assert.equal(outcomes.ok + outcomes.typed, 1600, 'every request settled');
    assert.ok(outcomes.typed > 800);
  });
});
