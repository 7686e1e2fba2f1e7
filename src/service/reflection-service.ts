// grpc.reflection.v1 (and v1alpha) ServerReflection: lets grpcurl and other tools discover the API.

import type { DescFile, DescService } from '@bufbuild/protobuf';
import { toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import type { ServerReflection as V1 } from '../gen/grpc/reflection/v1/reflection_pb.js';

type Impl = ServiceImpl<typeof V1>;
type Request = Parameters<Impl['serverReflectionInfo']>[0] extends AsyncIterable<infer R> ? R : never;

/** Every file `files` needs, dependencies first, without repeats. */
function closure(files: readonly DescFile[]): DescFile[] {
  const out: DescFile[] = [];
  const visit = (f: DescFile) => {
    if (out.includes(f)) return;
    for (const dep of f.dependencies) visit(dep);
    out.push(f);
  };
  for (const f of files) visit(f);
  return out;
}

/** Finds the file that declares a fully qualified symbol (message, enum, service, method, field). */
function fileOf(symbol: string, files: readonly DescFile[]): DescFile | undefined {
  for (const f of files) {
    const names = [
      ...f.messages.flatMap(function walk(m): string[] {
        return [
          m.typeName,
          ...m.fields.map((x) => `${m.typeName}.${x.name}`),
          ...m.nestedMessages.flatMap(walk),
          ...m.nestedEnums.map((e) => e.typeName),
        ];
      }),
      ...f.enums.map((e) => e.typeName),
      ...f.services.flatMap((s) => [s.typeName, ...s.methods.map((m) => `${s.typeName}.${m.name}`)]),
    ];
    if (names.includes(symbol)) return f;
  }
  return undefined;
}

/** Creates the reflection implementation over `services` (usable for v1 and v1alpha, which share the wire format). */
export function createReflectionService(services: readonly DescService[]): Impl {
  const files = closure(services.map((s) => s.file));
  const encode = (f: DescFile) => closure([f]).map((x) => toBinary(FileDescriptorProtoSchema, x.proto));
  const answer = (req: Request) => {
    const base = { validHost: '', originalRequest: req };
    const mr = req.messageRequest;
    const notFound = (what: string) => ({
      ...base,
      messageResponse: {
        case: 'errorResponse' as const,
        value: { errorCode: 5, errorMessage: `${what} not found` },
      },
    });
    switch (mr.case) {
      case 'listServices':
        return {
          ...base,
          messageResponse: {
            case: 'listServicesResponse' as const,
            value: { service: services.map((s) => ({ name: s.typeName })) },
          },
        };
      case 'fileByFilename': {
        const f = files.find((x) => x.proto.name === mr.value);
        if (f === undefined) return notFound(`file "${mr.value}"`);
        return {
          ...base,
          messageResponse: {
            case: 'fileDescriptorResponse' as const,
            value: { fileDescriptorProto: encode(f) },
          },
        };
      }
      case 'fileContainingSymbol': {
        const f = fileOf(mr.value, files);
        if (f === undefined) return notFound(`symbol "${mr.value}"`);
        return {
          ...base,
          messageResponse: {
            case: 'fileDescriptorResponse' as const,
            value: { fileDescriptorProto: encode(f) },
          },
        };
      }
      case 'allExtensionNumbersOfType':
        if (fileOf(mr.value, files) === undefined) return notFound(`type "${mr.value}"`);
        return {
          ...base,
          messageResponse: {
            case: 'allExtensionNumbersResponse' as const,
            value: { baseTypeName: mr.value, extensionNumber: [] },
          },
        };
      default:
        return notFound('extension or request kind');
    }
  };
  return {
    async *serverReflectionInfo(reqs) {
      for await (const req of reqs) yield answer(req);
    },
  };
}
