import { checkNutConfDir, DEFAULT_NUT_CONF_DIR, formatFinding } from '../nut/conf/check';
import { printJson, println } from './common';

/**
 * `walnut nut check [--conf-dir DIR] [--json]`: one line per finding
 * (`file:line: severity: message`) or one JSON document; exit code 1 when
 * there is an error. An unreadable folder throws NutConfigError.
 */
export async function nutCheckCommand(options: { confDir?: string; json?: boolean }): Promise<void> {
  const report = await checkNutConfDir(options.confDir ?? DEFAULT_NUT_CONF_DIR);
  if (report.errors > 0) process.exitCode = 1;
  if (options.json) {
    printJson({ confDir: report.confDir, files: report.files, findings: report.findings, errors: report.errors, warnings: report.warnings });
    return;
  }
  for (const finding of report.findings) println(formatFinding(finding));
  const present = report.files.filter((f) => f.present).map((f) => f.name);
  const missing = report.files.filter((f) => !f.present).map((f) => f.name);
  if (missing.length > 0 && present.length > 0) println(`not present (not checked): ${missing.join(', ')}`);
  println(`${report.confDir}: checked ${present.length === 0 ? 'no files' : present.join(', ')}: ` +
    `${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`);
}
