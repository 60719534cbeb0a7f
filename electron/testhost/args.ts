/** Command-line options of the test host. */
export interface HostArgs {
  port: number;
  dataDir: string;
  exportDir?: string;
  seedTemplates: number;
  recordIpc?: string;
  /** Live checks connect here (e.g. 127.0.0.1) while SNI still names each host; tests only. */
  liveCheckConnectHost?: string;
  /** Read `open-template <id>` lines on stdin, standing in for a tray or notification click. */
  stdinControl: boolean;
}

const USAGE =
  'usage: npm run web -- [--port N] [--data-dir DIR] [--export-dir DIR] [--seed-templates N] [--record-ipc FILE] [--live-check-connect-host HOST] [--stdin-control]';

function intArg(name: string, text: string | undefined, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} needs a whole number from 0 to ${max}\n${USAGE}`);
  }
  return value;
}

/** Parses `--name value` and `--name=value` forms; unknown options are refused. */
export function parseHostArgs(argv: string[]): HostArgs {
  const args: HostArgs = {
    port: 0,
    dataDir: '.certdesk-web',
    seedTemplates: 0,
    stdinControl: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = (argv[i] ?? '').split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag === '--stdin-control' && inline === undefined) {
      args.stdinControl = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    switch (flag) {
      case '--port':
        args.port = intArg('--port', value, 65535);
        break;
      case '--data-dir':
        args.dataDir = value;
        break;
      case '--export-dir':
        args.exportDir = value;
        break;
      case '--seed-templates':
        args.seedTemplates = intArg('--seed-templates', value, 1_000_000);
        break;
      case '--record-ipc':
        args.recordIpc = value;
        break;
      case '--live-check-connect-host':
        args.liveCheckConnectHost = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return args;
}
