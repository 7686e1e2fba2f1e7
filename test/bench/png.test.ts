// The benchmark's PNG writer: signature, chunk layout, IHDR size, every chunk's CRC, and pixels that inflate back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import {
  BLUE,
  createCanvas,
  encodePng,
  fillRect,
  linearTicks,
  renderChart,
  tickLabel,
} from '../../bench/png.ts';

/** CRC-32 (ISO-HDLC) bit by bit, independent of node:zlib. */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcInput: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    out.push({
      type: png.toString('latin1', at + 4, at + 8),
      data: png.subarray(at + 8, at + 8 + length),
      crc: png.readUInt32BE(at + 8 + length),
      crcInput: png.subarray(at + 4, at + 8 + length),
    });
    at += 12 + length;
  }
  return out;
}

test('a small canvas encodes to IHDR, IDAT, IEND with right CRCs and its exact pixels', () => {
  const canvas = createCanvas(5, 3);
  fillRect(canvas, 1, 1, 2, 1, BLUE);
  const parts = chunks(encodePng(canvas));
  assert.deepEqual(
    parts.map((c) => c.type),
    ['IHDR', 'IDAT', 'IEND'],
  );
  for (const c of parts) assert.equal(c.crc, referenceCrc32(c.crcInput), `CRC of ${c.type}`);
  const ihdr = parts[0]?.data as Buffer;
  assert.equal(ihdr.length, 13);
  assert.equal(ihdr.readUInt32BE(0), 5);
  assert.equal(ihdr.readUInt32BE(4), 3);
  assert.deepEqual([...ihdr.subarray(8)], [8, 2, 0, 0, 0]);
  const rows = inflateSync(parts[1]?.data as Buffer);
  assert.equal(rows.length, 3 * (1 + 5 * 3));
  const pixel = (x: number, y: number) => [...rows.subarray(y * 16 + 1 + x * 3, y * 16 + 4 + x * 3)];
  assert.equal(rows[16], 0, 'filter byte of row 1');
  assert.deepEqual(pixel(0, 0), [255, 255, 255]);
  assert.deepEqual(pixel(1, 1), [...BLUE]);
  assert.deepEqual(pixel(2, 1), [...BLUE]);
  assert.deepEqual(pixel(3, 1), [255, 255, 255]);
});

test('a two-panel chart has the announced size and valid chunks, and draws ink in both panels', () => {
  const x = [0, 1, 2, 3];
  const png = renderChart(
    'Test',
    [
      { yLabel: 'rate', xLabel: 'time (s)', series: [{ label: 'a', x, y: [5, 7, 6, 8], color: BLUE }] },
      {
        yLabel: 'ms',
        xLabel: 'leaves',
        logX: true,
        logY: true,
        series: [{ label: 'b', x: [1e3, 1e6], y: [2, 2000], color: BLUE }],
      },
    ],
    400,
    150,
  );
  const parts = chunks(png);
  for (const c of parts) assert.equal(c.crc, referenceCrc32(c.crcInput), `CRC of ${c.type}`);
  const ihdr = parts[0]?.data as Buffer;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.equal(width, 400);
  const rows = inflateSync(Buffer.concat(parts.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  assert.equal(rows.length, height * (1 + width * 3));
  const blueRows = new Set<number>();
  for (let y = 0; y < height; y++)
    for (let i = 0; i < width; i++) {
      const at = y * (1 + width * 3) + 1 + i * 3;
      if (rows[at] === BLUE[0] && rows[at + 1] === BLUE[1] && rows[at + 2] === BLUE[2]) blueRows.add(y);
    }
  assert.ok(
    [...blueRows].some((y) => y < height / 2),
    'series drawn in the upper panel',
  );
  assert.ok(
    [...blueRows].some((y) => y > height / 2),
    'series drawn in the lower panel',
  );
});

test('tick values are round and labelled shortly', () => {
  assert.deepEqual(linearTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(0, 1.3e5), [0, 50_000, 100_000]);
  assert.equal(tickLabel(150_000), '150K');
  assert.equal(tickLabel(1e6), '1M');
  assert.equal(tickLabel(0.25), '0.25');
});
