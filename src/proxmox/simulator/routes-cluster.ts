import { X509Certificate } from 'node:crypto';
import { checkNodeName, type Schema } from './params';
import type { Route, SimCore } from './router';
import { guestResource, nodeEntry, nodeResource } from './views';

const NODE: Schema = { node: { type: 'string', check: checkNodeName } };

/** PVE prints a subject as `/CN=…/O=…`; Node gives one `key=value` per line. */
function slashName(name: string): string {
  return name.split('\n').filter((part) => part !== '').map((part) => `/${part}`).join('');
}

function certificateInfo(pem: string, fingerprint: string): Record<string, unknown> {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  const curveBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
  const details = key.asymmetricKeyDetails ?? {};
  const bits = details.modulusLength ?? curveBits[details.namedCurve ?? ''] ?? 0;
  return {
    filename: 'pve-ssl.pem',
    fingerprint,
    subject: slashName(cert.subject),
    issuer: slashName(cert.issuer),
    notbefore: Math.floor(Date.parse(cert.validFrom) / 1000),
    notafter: Math.floor(Date.parse(cert.validTo) / 1000),
    'public-key-type': key.asymmetricKeyType === 'rsa' ? 'rsaEncryption' : 'id-ecPublicKey',
    'public-key-bits': bits,
    san: (cert.subjectAltName ?? '').split(', ').filter((entry) => entry !== '').map((entry) => entry.replace(/^[^:]+:/, '')),
    pem,
  };
}

/** Version, login, nodes, cluster resources and the node certificate. */
export function clusterRoutes(core: SimCore): Route[] {
  return [
    {
      method: 'GET',
      path: '/version',
      schema: {},
      handler: () => ({ version: '8.3.0', release: '8.3', repoid: 'c1689ccb1065a83b' }),
    },
    {
      method: 'POST',
      path: '/access/ticket',
      public: true,
      schema: {
        username: { type: 'string' },
        password: { type: 'string' },
        realm: { type: 'string', optional: true },
        otp: { type: 'string', optional: true },
        path: { type: 'string', optional: true },
        privs: { type: 'string', optional: true },
        'new-format': { type: 'boolean', optional: true },
        'tfa-challenge': { type: 'string', optional: true },
      },
      handler: ({ params }) => core.accounts.login(params),
    },
    {
      method: 'GET',
      path: '/nodes',
      schema: {},
      handler: () => [...core.world.nodes.values()].map((node) => nodeEntry(node, core.certificate().fingerprint, core.now())),
    },
    {
      method: 'GET',
      path: '/cluster/resources',
      schema: { type: { type: 'enum', values: ['vm', 'storage', 'node', 'sdn'], optional: true } },
      handler: ({ params }) => {
        const type = params.str('type');
        const now = core.now();
        const nodes = type === undefined || type === 'node' ? [...core.world.nodes.values()].map((node) => nodeResource(node, now)) : [];
        const guests = type === undefined || type === 'vm' ? core.world.allGuests().map((guest) => guestResource(guest, now)) : [];
        return [...guests, ...nodes];
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/status',
      schema: NODE,
      handler: ({ params }) => {
        const node = core.world.reachableNode(params.required('node'));
        return {
          uptime: Math.floor((core.now() - node.bootedAt) / 1000),
          cpu: 0.03,
          memory: { total: 32 * 1024 ** 3, used: 6 * 1024 ** 3, free: 26 * 1024 ** 3 },
          pveversion: 'pve-manager/8.3.0/c1689ccb1065a83b',
          kversion: 'Linux 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4',
        };
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/certificates/info',
      schema: NODE,
      handler: () => {
        const { pem, fingerprint } = core.certificate();
        return [certificateInfo(pem, fingerprint)];
      },
    },
  ];
}
