// gRPC clients for the CLI (HTTP/2, plain gRPC protocol).
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../gen/spark/v1/processor_pb.js';
import { CliError } from './cli-error.ts';

function checkServer(server: string): void {
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(server)) {
    throw new CliError('USAGE', `--server: "${server}" is not HOST:PORT`, { field: 'server' });
  }
}

/** A SparkProcessor client for `--server HOST:PORT`. */
export function processorClient(server: string): Client<typeof SparkProcessor> {
  checkServer(server);
  return createClient(SparkProcessor, createGrpcTransport({ baseUrl: `http://${server}` }));
}

/** A SparkAdmin client for `--server HOST:PORT`. */
export function adminClient(server: string): Client<typeof SparkAdmin> {
  checkServer(server);
  return createClient(SparkAdmin, createGrpcTransport({ baseUrl: `http://${server}` }));
}
