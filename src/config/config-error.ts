/** One problem with the configuration; `subject` names it the way an operator fixes it (an environment variable or a file). */
export interface ConfigIssue {
  subject: string;
  problem: string;
}

/**
 * Thrown by loadSettings. The message is one line, so a failed start shows the whole reason in any log viewer,
 * e.g. `Invalid setting PORT: must be a port number (got "abc")`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(summarize(issues));
  }
}

function summarize(issues: readonly ConfigIssue[]): string {
  const described = issues.map((issue) => `${issue.subject}: ${issue.problem}`);
  return described.length === 1 ? `Invalid ${described[0]}` : `Invalid configuration: ${described.join('; ')}`;
}
