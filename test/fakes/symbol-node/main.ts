// TEST DOUBLE of a Symbol node, as a command: `node test/fakes/symbol-node/main.ts [--port 3000] [--host 127.0.0.1]
// [--network testnet|mainnet] [--block-interval-ms 1000] [--finalization-lag 3]`. For demos and tests only.
import { parseArgs } from 'node:util';
import { startSymbolTestNode } from './symbol-test-node.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    host: { type: 'string', default: '127.0.0.1' },
    network: { type: 'string', default: 'testnet' },
    'block-interval-ms': { type: 'string', default: '1000' },
    'finalization-lag': { type: 'string', default: '3' },
  },
  strict: true,
});

if (values.network !== 'testnet' && values.network !== 'mainnet') {
  process.stderr.write('--network must be testnet or mainnet\n');
  process.exit(2);
}

const node = await startSymbolTestNode({
  host: values.host,
  port: Number(values.port),
  network: values.network,
  blockIntervalMs: Number(values['block-interval-ms']),
  finalizationLagBlocks: Number(values['finalization-lag']),
});
process.stdout.write(
  `Symbol TEST DOUBLE (not a real Symbol node, ${values.network}) listening on ${node.url}\n`,
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void node.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The block timer is unref'd; keep the process alive until a signal arrives.
setInterval(() => {}, 1 << 30);
