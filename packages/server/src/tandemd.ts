import { USAGE, parseCliArgs } from './cli-args.js';
import { ConfigError } from './config/config-error.js';
import { loadServerConfig } from './config/server-config.js';
import { Daemon } from './daemon.js';
import { createDaemonLog, createStartupLog } from './log/logger.js';
import { MSG } from './log/message-ids.js';
import { TANDEM_VERSION, extendedVersion } from './version.js';

/** `tandemd -c CONFIG [-p PORT] [-t]`: exit 0 on a clean stop, 1 on a configuration or start-up error. */
const main = async (argv: readonly string[]): Promise<void> => {
  const command = parseCliArgs(argv);
  switch (command.kind) {
    case 'usage':
      if (command.error !== undefined) process.stderr.write(`tandemd: ${command.error}\n`);
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = command.error === undefined ? 0 : 1;
      return;
    case 'version':
      process.stdout.write(`${command.extended ? extendedVersion() : TANDEM_VERSION}\n`);
      return;
    case 'test':
      try {
        const config = loadServerConfig(command.configPath);
        for (const warning of config.warnings) process.stderr.write(`tandemd: warning: ${warning.path}: ${warning.text}\n`);
        process.stdout.write(`tandemd: configuration ${command.configPath} is valid\n`);
      } catch (error) {
        process.stderr.write(`tandemd: ${error instanceof ConfigError ? '' : 'unexpected error: '}${(error as Error).message}\n`);
        process.exitCode = 1;
      }
      return;
    case 'run':
      break;
  }

  let config;
  try {
    config = loadServerConfig(command.configPath);
  } catch (error) {
    createStartupLog().fatal(MSG.DHCP4_CONFIG_LOAD_FAIL, (error as Error).message, { config: command.configPath });
    process.exitCode = 1;
    return;
  }
  const log = createDaemonLog(config.daemon.logging);
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      config,
      port: command.port,
      log,
      onStopped: (exitValue) => {
        process.exitCode = exitValue;
        // Timers of other components (keep-alive sockets, LFC) must not keep a stopped daemon alive.
        setImmediate(() => process.exit(exitValue));
      },
    });
  } catch (error) {
    log.fatal(MSG.DHCP4_CONFIG_LOAD_FAIL, `tandemd could not start: ${(error as Error).message}`);
    log.flush();
    process.exitCode = 1;
    setImmediate(() => process.exit(1));
    return;
  }
  const onSignal = (signal: NodeJS.Signals) => void daemon.stop(`signal ${signal}`, 0);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  process.on('SIGHUP', () => log.warn(MSG.DHCP4_SHUTDOWN_REQUEST, 'SIGHUP ignored: tandemd does not reload its configuration; restart it'));
};

void main(process.argv.slice(2));
