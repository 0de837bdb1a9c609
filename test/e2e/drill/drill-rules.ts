/**
 * The drill's rules: four targets on the test's peers and one armed, live
 * (not dry run) three-stage policy: shed the plugs, shut the guest down, shut
 * the SSH host down (the point of no return); restore brings back the plugs
 * and the guest.
 */

/** Stage delays and trigger/cancel/restore times, in seconds (the YAML's units). */
export interface DrillTiming {
  onBatteryForS: number;
  guestsAfterS: number;
  hostAfterS: number;
  cancelAfterS: number;
  restoreAfterS: number;
}

export const DRILL_TIMING: DrillTiming = { onBatteryForS: 5, guestsAfterS: 6, hostAfterS: 20, cancelAfterS: 2, restoreAfterS: 2 };

export interface DrillPeers {
  lamp: string;
  heater: string;
  pveUrl: string;
  pveFingerprint: string;
  sshPort: number;
  sshFingerprint: string;
  sshCommand: string;
}

export function drillRules(timing: DrillTiming, peers: DrillPeers): string {
  return `apiVersion: walnut/v1
kind: Targets
targets:
  lamp:
    type: shelly
    host: "${peers.lamp}"
  heater:
    type: tapo
    host: "${peers.heater}"
    credentials: { secretRef: tapo }
  pve:
    type: proxmox
    url: ${peers.pveUrl}
    token: { secretRef: pve-token }
    tls_fingerprint: "${peers.pveFingerprint}"
    node: pve
    guests: { ids: [101] }
  box:
    type: ssh
    host: 127.0.0.1
    port: ${peers.sshPort}
    user: root
    key: { secretRef: box-key }
    host_key_fingerprint: "${peers.sshFingerprint}"
    command: "${peers.sshCommand}"
---
apiVersion: walnut/v1
kind: Policy
name: drill
ups: [dummy]
armed: true
dry_run: false
triggers:
  any:
    - on_battery: { for: ${timing.onBatteryForS}s }
cancel_when:
  online: { for: ${timing.cancelAfterS}s }
stages:
  - name: shed
    after: 0s
    parallel: true
    timeout: 15s
    actions:
      - { target: lamp, op: 'off' }
      - { target: heater, op: 'off' }
  - name: guests
    after: ${timing.guestsAfterS}s
    timeout: 15s
    actions:
      - { target: pve, op: shutdown }
  - name: host
    after: ${timing.hostAfterS}s
    timeout: 15s
    actions:
      - { target: box, op: shutdown }
point_of_no_return: host
restore:
  when: { online: { for: ${timing.restoreAfterS}s } }
  timeout: 15s
  actions:
    - { target: lamp, op: 'on' }
    - { target: heater, op: 'on' }
    - { target: pve, op: start }
`;
}
