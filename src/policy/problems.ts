import type { RulesProblem } from '../errors';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export function problemAt(
  location: SourceLocation,
  code: string,
  message: string,
  severity: RulesProblem['severity'] = 'error',
): RulesProblem {
  return { file: location.file, line: location.line, column: location.column, severity, code, message };
}

/** `file:line:col: message`, with `warning: ` before warnings' messages. */
export function formatProblem(problem: RulesProblem): string {
  const prefix = problem.severity === 'warning' ? 'warning: ' : '';
  return `${problem.file}:${problem.line}:${problem.column}: ${prefix}${problem.message}`;
}

/** By file, then position: the order an editor would show them. */
export function sortProblems(problems: readonly RulesProblem[]): RulesProblem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}

export const isError = (problem: RulesProblem): boolean => problem.severity === 'error';
