/** tandemd's command line, a subset of kea-dhcp4's: `-c file [-p port] [-t]`, plus `-v`/`-V`. */
export type CliCommand =
  | { readonly kind: 'run'; readonly configPath: string; readonly port: number | undefined }
  | { readonly kind: 'test'; readonly configPath: string }
  | { readonly kind: 'version'; readonly extended: boolean }
  | { readonly kind: 'usage'; readonly error: string | undefined };

export const USAGE = `Usage: tandemd -c config-file [-p server-port] [-t]
  -c file   configuration file ({"Dhcp4": {...}}, the format of kea-dhcp4)
  -p port   UDP port to listen on (default 67); relayed answers then go to the relay's source port
  -t file   check the configuration file and exit (non-zero with the error when it is invalid)
  -T file   same as -t
  -v        print the version and exit
  -V        print the extended version and exit`;

export const parseCliArgs = (argv: readonly string[]): CliCommand => {
  let configPath: string | undefined;
  let port: number | undefined;
  let test = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`option ${arg} needs a value`);
      i += 1;
      return next;
    };
    try {
      switch (arg) {
        case '-c':
          configPath = value();
          break;
        case '-t':
        case '-T':
          test = true;
          // kea-dhcp4 takes the file as -t's own value.
          if (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('-')) configPath = value();
          break;
        case '-p': {
          const text = value();
          const n = Number(text);
          if (!/^\d+$/.test(text) || n < 1 || n > 65535) return { kind: 'usage', error: `port '${text}' is not in 1..65535` };
          port = n;
          break;
        }
        case '-v':
          return { kind: 'version', extended: false };
        case '-V':
          return { kind: 'version', extended: true };
        case '-h':
        case '--help':
          return { kind: 'usage', error: undefined };
        case '-d':
          // Kea's debug switch: verbosity comes from the loggers section in Tandem.
          break;
        default:
          return { kind: 'usage', error: `unknown argument '${arg}'` };
      }
    } catch (error) {
      return { kind: 'usage', error: (error as Error).message };
    }
  }
  if (configPath === undefined) return { kind: 'usage', error: 'no configuration file given (-c file)' };
  return test ? { kind: 'test', configPath } : { kind: 'run', configPath, port };
};
