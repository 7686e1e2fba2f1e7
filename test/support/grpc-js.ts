// @grpc/grpc-js clients from the .proto files loaded at run time, as a third-party client would build them.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ROOT } from './spawn-server.ts';

/** The package tree of a .proto under proto/ (longs and enums as strings, bytes as Buffers, defaults filled). */
export function loadGrpcJs(file: string): grpc.GrpcObject {
  const def = protoLoader.loadSync(file, {
    includeDirs: [join(ROOT, 'proto')],
    longs: String,
    enums: String,
    bytes: Buffer,
    defaults: true,
  });
  return grpc.loadPackageDefinition(def);
}

/** The grpc-js client class of spark.v1.SparkProcessor. */
export function sparkProcessorGrpcJs(): grpc.ServiceClientConstructor {
  const pkg = loadGrpcJs('spark/v1/processor.proto') as unknown as {
    spark: { v1: { SparkProcessor: grpc.ServiceClientConstructor } };
  };
  return pkg.spark.v1.SparkProcessor;
}
