import type { Knex } from 'knex';
import { Event, Host, Site, Ups } from './models';
import { HOUR_MS } from './retention';
import { SampleWriter, type SampleRow } from './samples';

/** Three sites, two UPSes each, four hosts per site: what a small fleet looks like. */
const SITES = [
  { name: 'demo-homelab', description: 'Demo: rack in the basement', ups: ['rack-ups', 'nas-ups'] },
  { name: 'demo-office', description: 'Demo: small office closet', ups: ['closet-ups', 'desk-ups'] },
  { name: 'demo-cabin', description: 'Demo: remote cabin on a weak grid', ups: ['main-ups', 'network-ups'] },
] as const;
const HOSTS_PER_SITE = [
  { name: 'pve1', type: 'proxmox', port: 8006, watts: 120 },
  { name: 'nas', type: 'ssh', port: 22, watts: 45 },
  { name: 'router-plug', type: 'shelly', port: 80, watts: 12 },
  { name: 'switch-plug', type: 'tapo', port: 80, watts: 18 },
] as const;

export const DEMO_SAMPLE_INTERVAL_MS = 10_000;

export interface DemoSummary {
  sites: number;
  ups: number;
  hosts: number;
  samples: number;
  events: number;
}

/** Deterministic noise, so every demo store tells the same story. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outage {
  start: number;
  durationMs: number;
}

/**
 * A UPS's 24 hours: load following the day, mains at 230 V with noise, and on
 * UPSes with an outage the battery discharging (input 0 V, OB DISCHRG, falling
 * runtime) then recharging (OL CHRG) afterwards.
 */
function simulateUps(upsId: number, start: number, end: number, outages: Outage[], random: () => number, baseLoad: number): SampleRow[] {
  const rows: SampleRow[] = [];
  let charge = 100;
  for (let ts = start; ts < end; ts += DEMO_SAMPLE_INTERVAL_MS) {
    const hourOfDay = new Date(ts).getUTCHours() + new Date(ts).getUTCMinutes() / 60;
    const load = Math.max(5, baseLoad + 8 * Math.sin(((hourOfDay - 8) / 24) * 2 * Math.PI) + (random() - 0.5) * 3);
    const onBattery = outages.some((outage) => ts >= outage.start && ts < outage.start + outage.durationMs);
    const stepMinutes = DEMO_SAMPLE_INTERVAL_MS / 60_000;
    if (onBattery) charge = Math.max(5, charge - stepMinutes * (load / 12));
    else charge = Math.min(100, charge + stepMinutes * 0.6);
    const fullRuntime = 2400 * Math.pow(25 / load, 1.15);
    const charging = !onBattery && charge < 100;
    rows.push({
      ups_id: upsId,
      ts,
      status: onBattery ? (charge < 20 ? 'OB DISCHRG LB' : 'OB DISCHRG') : charging ? 'OL CHRG' : 'OL',
      battery_charge: Math.round(charge * 10) / 10,
      battery_runtime: Math.round((fullRuntime * charge) / 100),
      battery_voltage: Math.round((24 + (charge / 100) * 3.2 + (onBattery ? -0.8 : charging ? 0.4 : 0)) * 100) / 100,
      input_voltage: onBattery ? 0 : Math.round((230 + (random() - 0.5) * 6) * 10) / 10,
      output_voltage: Math.round((230 + (random() - 0.5) * 2) * 10) / 10,
      ups_load: Math.round(load * 10) / 10,
      ups_realpower: Math.round(load * 9),
    });
  }
  return rows;
}

export async function hasDemoData(knex: Knex): Promise<boolean> {
  return (await Site.query(knex).where('name', 'like', 'demo-%').resultSize()) > 0;
}

/** Seeds the demo fleet with 24 h of samples ending at `now`; the caller rolls them up. */
export async function seedDemoData(knex: Knex, now: number = Date.now()): Promise<DemoSummary> {
  const random = mulberry32(20261122);
  const end = Math.floor(now / DEMO_SAMPLE_INTERVAL_MS) * DEMO_SAMPLE_INTERVAL_MS;
  const start = end - 24 * HOUR_MS;
  const writer = new SampleWriter(knex);
  const summary: DemoSummary = { sites: 0, ups: 0, hosts: 0, samples: 0, events: 0 };

  for (const [siteIndex, siteSpec] of SITES.entries()) {
    const site = await Site.query(knex).insert({ name: siteSpec.name, description: siteSpec.description });
    summary.sites += 1;
    for (const host of HOSTS_PER_SITE) {
      await Host.query(knex).insert({ site_id: site.id, name: host.name, type: host.type, address: `10.${siteIndex}.0.${10 + summary.hosts}`, port: host.port, watts: host.watts });
      summary.hosts += 1;
    }
    for (const [upsIndex, upsName] of siteSpec.ups.entries()) {
      const ups = await Ups.query(knex).insert({
        site_id: site.id, name: upsName, server: `nut.${siteSpec.name}.lan:3493`, manufacturer: 'Demo', model: upsIndex === 0 ? 'Smart-UPS 1500' : 'Back-UPS 700', serial: `DEMO${siteIndex}${upsIndex}0001`,
      });
      summary.ups += 1;
      // The first UPS of each site had an outage: 8, 13 and 19 hours ago, 6 to 18 minutes long.
      const outages = upsIndex === 0 ? [{ start: end - (8 + siteIndex * 5.5) * HOUR_MS, durationMs: (6 + siteIndex * 6) * 60_000 }] : [];
      const rows = simulateUps(ups.id, start, end, outages, random, upsIndex === 0 ? 32 : 18);
      for (let i = 0; i < rows.length; i += 5000) await writer.insert(rows.slice(i, i + 5000));
      summary.samples += rows.length;
      for (const outage of outages) {
        const source = `nut:${ups.server}/${upsName}`;
        // One insert each: objection's array insert works only on PostgreSQL.
        await Event.query(knex).insert({ site_id: site.id, ups_id: ups.id, ts: outage.start, severity: 'warning', type: 'ONBATT', source, message: `${upsName} is on battery` });
        await Event.query(knex).insert({ site_id: site.id, ups_id: ups.id, ts: outage.start + outage.durationMs, severity: 'info', type: 'ONLINE', source, message: `${upsName} is back on mains power` });
        summary.events += 2;
      }
    }
  }
  return summary;
}
