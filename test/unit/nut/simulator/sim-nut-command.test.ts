import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { simNutCommand } from '../../../../src/cli/sim-nut-command';
import { UsageError } from '../../../../src/errors';
import { ScenarioError } from '../../../../src/nut/simulator/scenario';
import { tempDir } from '../../../helpers/temp';
import { LineClient } from './helpers';

const OUTAGE = path.resolve(__dirname, '../../../../src/nut/simulator/scenarios/outage.json');

describe('walnut sim-nut command', () => {
  it('serves the demo UPS and accounts, prints where it listens, and stops on request', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    let listening!: (port: number) => void;
    const port = new Promise<number>((resolve) => (listening = resolve));
    const print = (line: string): void => {
      lines.push(line);
      const match = /^NUT simulator listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (match) listening(Number(match[1]));
    };
    const running = simNutCommand({ port: '0', scenario: OUTAGE }, { stop: stop.signal, print });
    const client = await LineClient.connect(await port);
    try {
      assert.equal(await client.request('GET UPSDESC ups'), 'UPSDESC ups "walNUT simulated UPS"');
      assert.equal(await client.request('GET VAR ups ups.status'), 'VAR ups ups.status "OL"');
      assert.equal(await client.request('USERNAME admin'), 'OK');
      assert.equal(await client.request('PASSWORD admin-secret'), 'OK');
      assert.equal(await client.request('PRIMARY ups'), 'OK PRIMARY-GRANTED');
      assert.equal(await client.request('INSTCMD ups test.battery.start.quick'), 'OK');
      assert.ok(lines.some((line) => line.includes('monuser/secret')), lines.join('\n'));
      assert.equal(lines.filter((line) => line.startsWith('NUT simulator listening on ')).length, 1);
    } finally {
      stop.abort();
      await running;
    }
    await client.closed;
  });

  it('rejects a bad port or scenario before listening', async () => {
    await assert.rejects(simNutCommand({ port: 'http' }, { print: () => undefined }), UsageError);
    await assert.rejects(simNutCommand({ port: '70000' }, { print: () => undefined }), UsageError);
    const bad = path.join(tempDir(), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ steps: [{ at: 1 }] }));
    await assert.rejects(simNutCommand({ port: '0', scenario: bad }, { print: () => undefined }), ScenarioError);
  });
});
