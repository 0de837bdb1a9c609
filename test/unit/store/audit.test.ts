import { strict as assert } from 'node:assert';
import { REDACTED, redactSecrets } from '../../../src/store/audit';

describe('audit redaction', () => {
  it('blanks secret-named fields at any depth, by their last word, and keeps the rest', () => {
    const document = {
      username: 'alice', password: 'p1', passwordChanged: true, mqtt_password: 'p2', accessToken: 't', key_hash: 'h',
      nested: [{ privateKey: 'k', apiKey: 'a', secret: 's', passphrase: 'pp', host: 'nas', keyHashes: 3 }], credentials: { user: 'u' }, token: null,
    };
    assert.deepEqual(redactSecrets(document), {
      username: 'alice', password: REDACTED, passwordChanged: true, mqtt_password: REDACTED, accessToken: REDACTED, key_hash: REDACTED,
      nested: [{ privateKey: REDACTED, apiKey: REDACTED, secret: REDACTED, passphrase: REDACTED, host: 'nas', keyHashes: 3 }], credentials: REDACTED, token: null,
    });
  });
});
