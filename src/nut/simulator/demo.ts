import type { UpsDefinition, UserDefinition } from './state';

export interface NamedUps {
  name: string;
  definition: UpsDefinition;
}

/** A believable line-interactive 1500 VA / 900 W UPS on mains, full and idle-ish, as dummy-ups would show it. */
export function defaultDemoUps(): NamedUps {
  return {
    name: 'ups',
    definition: {
      description: 'walNUT simulated UPS',
      vars: {
        'battery.charge': '100',
        'battery.charge.low': '20',
        'battery.charge.warning': '50',
        'battery.runtime': '1800',
        'battery.runtime.low': '120',
        'battery.type': 'PbAc',
        'battery.voltage': '27.3',
        'battery.voltage.nominal': '24.0',
        'device.mfr': 'walNUT',
        'device.model': 'SimUPS 1500',
        'device.serial': 'SIM-0001',
        'device.type': 'ups',
        'driver.name': 'dummy-ups',
        'driver.parameter.pollinterval': '2',
        'driver.parameter.port': 'simulated',
        'driver.version': '2.8.0',
        'input.frequency': '50.0',
        'input.voltage': '230.0',
        'input.voltage.nominal': '230',
        'output.voltage': '230.0',
        'ups.beeper.status': 'enabled',
        'ups.delay.shutdown': '20',
        'ups.delay.start': '30',
        'ups.firmware': '1.0-sim',
        'ups.load': '23',
        'ups.mfr': 'walNUT',
        'ups.model': 'SimUPS 1500',
        'ups.power.nominal': '1500',
        'ups.realpower.nominal': '900',
        'ups.serial': 'SIM-0001',
        'ups.status': 'OL',
        'ups.test.result': 'No test initiated',
        'ups.timer.shutdown': '-1',
        'ups.timer.start': '-1',
      },
      rw: ['battery.charge.low', 'battery.runtime.low', 'ups.beeper.status', 'ups.delay.shutdown', 'ups.delay.start'],
      enums: { 'ups.beeper.status': ['enabled', 'disabled', 'muted'] },
      ranges: {
        'battery.charge.low': [{ min: 5, max: 90 }],
        'battery.runtime.low': [{ min: 0, max: 3600 }],
        'ups.delay.shutdown': [{ min: 0, max: 600 }],
        'ups.delay.start': [{ min: 0, max: 600 }],
      },
      commands: {
        'load.off': 'Turn off the load immediately',
        'shutdown.return': 'Turn off the load and return when power is back',
        'test.battery.start.quick': 'Start a quick battery test',
      },
      varDescriptions: {
        'battery.charge': 'Battery charge (percent of full)',
        'battery.runtime': 'Battery runtime (seconds)',
        'ups.load': 'Load on UPS (percent of full)',
        'ups.status': 'UPS status',
      },
    },
  };
}

/** The demo accounts `walnut sim-nut` prints on start (like an upsd.users for a lab). */
export function defaultDemoUsers(): Record<string, UserDefinition> {
  return {
    monuser: { password: 'secret', upsmon: 'secondary' },
    admin: { password: 'admin-secret', upsmon: 'primary', actions: ['SET', 'FSD'], instcmds: 'ALL' },
  };
}
