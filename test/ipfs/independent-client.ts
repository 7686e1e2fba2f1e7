// An independent IPFS client for tests: @helia/verified-fetch with our gateway as the only provider, no routers, no
// recursive gateways and a libp2p node with no transport, listener or discovery, so nothing leaves loopback. It
// checks every block it receives against the CID it asked for.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifiedFetch, type VerifiedFetch } from '@helia/verified-fetch';
import { multiaddr } from '@multiformats/multiaddr';

/** The verifying client. */
export async function createIndependentClient(): Promise<VerifiedFetch> {
  return createVerifiedFetch({
    gateways: [],
    routers: [],
    allowLocal: true,
    allowInsecure: true,
    libp2pConfig: {
      start: false,
      addresses: { listen: [] },
      transports: [],
      peerDiscovery: [],
      services: {},
    },
  });
}

/** Fetches a raw block by CID from the gateway on 127.0.0.1:`port` only; rejects when the bytes do not verify. */
export async function fetchVerified(
  client: VerifiedFetch,
  cid: string,
  port: number,
  timeoutMs = 10_000,
): Promise<Response> {
  return client(`ipfs://${cid}`, {
    headers: { accept: 'application/vnd.ipld.raw' },
    providers: [multiaddr(`/ip4/127.0.0.1/tcp/${port}/http`)],
    allowLocal: true,
    allowInsecure: true,
    signal: AbortSignal.timeout(timeoutMs),
  });
}

/** An HTTP proxy to 127.0.0.1:`target` that flips the last byte of every body it relays: a lying gateway. */
export async function startTamperingProxy(target: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const accept = req.headers.accept;
    fetch(`http://127.0.0.1:${target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers: accept === undefined ? {} : { accept },
      signal: AbortSignal.timeout(5_000),
    })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        if (body.length > 0) body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 0x01;
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
