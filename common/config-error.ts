/** A setting that is missing or wrong: `setting` names the environment variable (or config-file key) at fault. */
export interface ConfigProblem {
  setting: string;
  problem: string;
}

/** Bad configuration, found before anything is connected; its message lists every problem and never a secret value. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(
    message: string,
    readonly problems: ConfigProblem[] = [],
  ) {
    super(message);
  }

  static of(title: string, problems: ConfigProblem[]): ConfigError {
    const lines = problems.map(({ setting, problem }) => `  ${setting}: ${problem}`);
    return new ConfigError(`${title}:\n${lines.join('\n')}`, problems);
  }
}
