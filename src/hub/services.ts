import type { JobRunner } from '../actions/runner';
import type { ArchiveService } from '../archive/archive-service';
import type { EventBus } from '../bus';
import type { NutService } from '../nut/service';
import type { PolicyService } from '../policy/policy-service';
import type { RulesService } from '../policy/rules-service';
import type { SampleBuffer } from '../store/sample-buffer';

/**
 * What the hub hands Node-RED's settings (`RED.settings.walnut`): our nodes
 * reach the running services through this, never by importing the hub.
 */
export interface HubServices {
  bus: EventBus;
  samples: SampleBuffer;
  nut: NutService;
  rules: RulesService;
  policies: PolicyService;
  runner: JobRunner;
  archive: ArchiveService;
  siteId: number;
}
