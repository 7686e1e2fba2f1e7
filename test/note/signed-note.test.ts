// Signed notes: byte-exact round trips, the last-blank-line rule, key IDs, and every reason a note is refused.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  checkKeyName,
  DEFAULT_MAX_SIGNATURES,
  decodeUtf8,
  encodeBase64,
  formatNote,
  formatSignatureLine,
  MAX_NOTE_BYTES,
  type NoteSignature,
  noteKeyId,
  parseNote,
  parseSignatureLines,
  type SignedNote,
} from '../../src/proof/note/signed-note.ts';
import { C2SP_WITNESS_RESPONSE, GO_NOTE } from './public-vectors.ts';

const DASH = '\u2014';
const GO_SIGNED = `${GO_NOTE.text}\n${GO_NOTE.peterSig}${GO_NOTE.enochSig}`;

/** A parsed note, or a failed assertion with the reason. */
function parsed(input: string | Uint8Array, max?: number): SignedNote {
  const note = parseNote(input, max);
  if (typeof note === 'string') assert.fail(`refused: ${note}`);
  return note;
}

/** The reason `input` is refused (fails when it is accepted). */
function refusal(input: string | Uint8Array, max?: number): string {
  const note = parseNote(input, max);
  if (typeof note !== 'string') assert.fail('accepted');
  return note;
}

/** A syntactically valid signature line for `name` (10 bytes: a key ID and 6 signature bytes). */
function line(name: string, fill = 7): string {
  return `${DASH} ${name} ${Buffer.alloc(10, fill).toString('base64')}\n`;
}

describe('parseNote and formatNote', () => {
  test('parse the Go example note with two signatures and format it back byte for byte', () => {
    const note = parsed(GO_SIGNED);
    assert.equal(note.text, GO_NOTE.text);
    assert.deepEqual(
      note.signatures.map((s) => [s.name, s.keyId, s.signature.length]),
      [
        ['PeterNeumann', GO_NOTE.peterKeyId, 64],
        ['EnochRoot', GO_NOTE.enochKeyId, 64],
      ],
    );
    assert.equal(formatNote(note), GO_SIGNED);
  });

  test('the UTF-8 bytes of a note parse to the same note', () => {
    assert.deepEqual(parsed(new Uint8Array(Buffer.from(GO_SIGNED, 'utf8'))), parsed(GO_SIGNED));
  });

  test('the text ends at the last blank line: it may itself hold blank lines', () => {
    const text = 'first\n\nsecond\n\n\nthird\n';
    const note = parsed(`${text}\n${line('a.example/k')}`);
    assert.equal(note.text, text);
    assert.equal(note.signatures.length, 1);
    assert.equal(formatNote(note), `${text}\n${line('a.example/k')}`);
  });

  test('a text that ends in a blank line round-trips (the separator is the very last blank line)', () => {
    const note: SignedNote = {
      text: 'a\n\n',
      signatures: [parsed(`x\n\n${line('k')}`).signatures[0] as NoteSignature],
    };
    const out = formatNote(note);
    assert.equal(out, `a\n\n\n${line('k')}`);
    assert.deepEqual(parsed(out), note);
  });

  test('the smallest note: the text is a single newline', () => {
    assert.equal(parsed(`\n\n${line('k')}`).text, '\n');
  });

  test('non-ASCII text and key names survive (UTF-8, not Latin-1)', () => {
    const text = 'Ognuno sta solo sul cuor della terra\ned è subito sera — 東京 🌍\n';
    const out = `${text}\n${line('quasimodo.example/salvatoré')}`;
    assert.equal(formatNote(parsed(out)), out);
    assert.deepEqual(parsed(new Uint8Array(Buffer.from(out))), parsed(out));
  });

  test('accepts up to maxSignatures lines (16 as the spec requires, 64 by default)', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => line(`k${i}`)).join('');
    assert.equal(parsed(`t\n\n${lines(16)}`, 16).signatures.length, 16);
    assert.equal(parsed(`t\n\n${lines(DEFAULT_MAX_SIGNATURES)}`).signatures.length, 64);
    assert.equal(parsed(`t\n\n${lines(100)}`, 100).signatures.length, 100);
  });

  test('keeps duplicate and unknown signature lines as they are (verifiers decide)', () => {
    const note = parsed(`t\n\n${GO_NOTE.peterSig}${GO_NOTE.peterSig}${line('other')}`);
    assert.equal(note.signatures.length, 3);
  });
});

describe('parseNote refuses hostile input with a reason', () => {
  const sig = GO_NOTE.peterSig;
  const text = GO_NOTE.text;
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['invalid UTF-8 (0xff)', Uint8Array.from([0xff, ...Buffer.from(`${text}\n${sig}`)]), /^invalid UTF-8$/],
    [
      'an overlong encoding',
      Uint8Array.from([0xc0, 0xaf, 0x0a, 0x0a, ...Buffer.from(sig)]),
      /^invalid UTF-8$/,
    ],
    [
      'an encoded surrogate',
      Uint8Array.from([0xed, 0xa0, 0x80, 0x0a, 0x0a, ...Buffer.from(sig)]),
      /^invalid UTF-8$/,
    ],
    [
      'a truncated sequence',
      Uint8Array.from([...Buffer.from(`${text}\n${sig}`), 0xe2, 0x80]),
      /^invalid UTF-8$/,
    ],
    ['a code point above U+10FFFF', Uint8Array.from([0xf4, 0x90, 0x80, 0x80, 0x0a, 0x0a]), /^invalid UTF-8$/],
    ['a lone surrogate in a string', `\ud800${text}\n${sig}`, /^invalid UTF-8/],
    ['a control character in the text', `\u0001${text}\n${sig}`, /^control character U\+0001 at offset 0$/],
    ['a carriage return', `${text.replace('\n', '\r\n')}\n${sig}`, /^control character U\+000D/],
    ['a tab in a signature line', `${text}\n${sig.replace(' x08', '\tx08')}`, /^control character U\+0009/],
    ['no blank line', `${text}${sig}`, /^no blank line before the signatures$/],
    ['no signature at all', text, /^no blank line before the signatures$/],
    ['a blank line and nothing after it', `${text}\n`, /^no signature lines$/],
    [
      'a last line without newline',
      `${text}\n${sig.slice(0, -1)}`,
      /^the last signature line does not end with a newline$/,
    ],
    [
      'a line that is not a signature',
      `${text}\n${sig}Unexpected line.\n`,
      /^signature line 2: malformed signature line: it does not start with "— "$/,
    ],
    ['a hyphen instead of an em dash', `${text}\n${sig.replace(DASH, '-')}`, /does not start with "— "/],
    ['no space after the name', `${text}\n${DASH} PeterNeumann\n`, /no space between key name and signature/],
    ['an empty key name', `${text}\n${DASH}  x08go/ZJ\n`, /malformed signature line: empty key name$/],
    [
      'a "+" in the key name',
      `${text}\n${sig.replace('PeterNeumann', 'Peter+Neumann')}`,
      /key name contains '\+'/,
    ],
    [
      'a no-break space in the key name',
      `${text}\n${sig.replace('PeterNeumann', 'Peter\u00a0Neumann')}`,
      /key name contains a Unicode space/,
    ],
    [
      'a space in the key name (Go: "Bad Name")',
      `${text}\n${DASH} Bad Name x08go/ZJkuBS9UG/Sffc=\n`,
      /^signature line 1: bad base64 in signature line$/,
    ],
    ['base64 with non-zero padding bits', `${text}\n${sig.replace('nAM=', 'nAN=')}`, /bad base64/],
    ['base64 without padding', `${text}\n${sig.replace('nAM=', 'nAM')}`, /bad base64/],
    ['base64url digits', `${text}\n${DASH} k AAAA_-AA\n`, /bad base64/],
    [
      'a signature of 4 bytes',
      `${text}\n${DASH} k AAAAAA==\n`,
      /^signature line 1: signature shorter than 5 bytes$/,
    ],
    ['an empty signature', `${text}\n${DASH} k \n`, /signature shorter than 5 bytes/],
    ['65 signatures', `${text}\n${sig.repeat(65)}`, /^too many signatures: 65 \(at most 64\)$/],
    ['over 1 MiB as a string', `${'a'.repeat(MAX_NOTE_BYTES)}\n\n${sig}`, /^note over 1048576 bytes$/],
    ['over 1 MiB in UTF-8 only', `${'é'.repeat(MAX_NOTE_BYTES / 2)}\n\n${sig}`, /^note over 1048576 bytes$/],
    ['over 1 MiB as bytes', new Uint8Array(MAX_NOTE_BYTES + 1).fill(0x61), /^note over 1048576 bytes$/],
  ];
  for (const [what, input, reason] of cases) {
    test(what, () => assert.match(refusal(input), reason));
  }

  test('a tighter signature limit is honoured', () => {
    assert.match(refusal(`${text}\n${sig.repeat(3)}`, 2), /^too many signatures: 3 \(at most 2\)$/);
  });

  test('never throws on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(1 + (i % 200));
      const out = parseNote(i % 2 === 0 ? bytes : bytes.toString('latin1'));
      assert.ok(typeof out === 'string' || out.signatures.length > 0);
    }
  });

  test('programmer errors throw RangeError', () => {
    assert.throws(() => parseNote(42 as unknown as string), RangeError);
    assert.throws(() => parseNote(GO_SIGNED, 0), RangeError);
    assert.throws(() => parseNote(GO_SIGNED, 1.5), RangeError);
  });
});

describe('formatSignatureLine and formatNote', () => {
  test('a signature line is "— name base64(u32be key ID || signature)\\n"', () => {
    const sig = { name: 'witness.example/w1', keyId: 0x01020304, signature: Uint8Array.of(0xaa, 0xbb) };
    assert.equal(
      formatSignatureLine(sig),
      `${DASH} witness.example/w1 ${Buffer.from([1, 2, 3, 4, 0xaa, 0xbb]).toString('base64')}\n`,
    );
    assert.equal(formatSignatureLine({ ...sig, keyId: 0xffffffff }).split(' ')[2], '/////6q7\n');
  });

  test('refuses what could not be parsed back', () => {
    const ok = { name: 'k', keyId: 1, signature: Uint8Array.of(1) };
    assert.throws(() => formatSignatureLine({ ...ok, name: 'a b' }), RangeError);
    assert.throws(() => formatSignatureLine({ ...ok, name: '' }), RangeError);
    assert.throws(() => formatSignatureLine({ ...ok, keyId: -1 }), RangeError);
    assert.throws(() => formatSignatureLine({ ...ok, keyId: 2 ** 32 }), RangeError);
    assert.throws(() => formatSignatureLine({ ...ok, signature: new Uint8Array(0) }), RangeError);
    assert.throws(() => formatNote({ text: 'no newline', signatures: [ok] }), RangeError);
    assert.throws(() => formatNote({ text: 'no signature\n', signatures: [] }), RangeError);
    assert.throws(() => formatNote({ text: 'tab\there\n', signatures: [ok] }), RangeError);
    assert.throws(() => formatNote({ text: '\ud800\n', signatures: [ok] }), RangeError);
  });

  test('random notes round-trip exactly', () => {
    for (let i = 0; i < 50; i++) {
      const signatures = Array.from({ length: 1 + (i % 5) }, (_, j) => ({
        name: `log${i}.example/${j}`,
        keyId: randomBytes(4).readUInt32BE(0),
        signature: new Uint8Array(randomBytes(1 + ((i * 7 + j) % 90))),
      }));
      const note = { text: `line ${i}\n\n${'x'.repeat(i)}\n`, signatures };
      assert.deepEqual(parsed(formatNote(note)), note);
    }
  });
});

describe('parseSignatureLines (a witness response)', () => {
  test('parses the tlog-witness example response', () => {
    const sigs = parseSignatureLines(C2SP_WITNESS_RESPONSE);
    if (typeof sigs === 'string') assert.fail(sigs);
    assert.deepEqual(
      sigs.map((s) => [s.name, s.keyId.toString(16).padStart(8, '0'), s.signature.length]),
      [
        ['witness.example/w1', '08ca7ee8', 72],
        ['witness.example/w1', '23bac4a6', 72],
        ['witness.example/w2', '016ba2f1', 72],
      ],
    );
    assert.equal(sigs.map(formatSignatureLine).join(''), C2SP_WITNESS_RESPONSE);
  });

  test('refuses an empty body, a note, text, a missing newline, too many lines, control characters', () => {
    assert.equal(parseSignatureLines(''), 'no signature lines');
    assert.match(
      String(parseSignatureLines(`${GO_NOTE.text}\n${GO_NOTE.peterSig}`)),
      /does not start with "— "/,
    );
    assert.match(String(parseSignatureLines(GO_NOTE.peterSig.slice(0, -1))), /does not end with a newline/);
    assert.match(String(parseSignatureLines(`${GO_NOTE.peterSig}\n`)), /signature line 2: malformed/);
    assert.match(String(parseSignatureLines(GO_NOTE.peterSig.repeat(3), 2)), /too many signatures/);
    assert.match(String(parseSignatureLines(`${GO_NOTE.peterSig}\u0000`)), /control character U\+0000/);
  });
});

describe('key names and key IDs', () => {
  test('checkKeyName gives the reason a name is invalid', () => {
    assert.equal(checkKeyName('sum.golang.org'), undefined);
    assert.equal(checkKeyName('oid/1.3.6.1.4.1.44363.47.1'), undefined);
    assert.equal(checkKeyName(''), 'empty key name');
    assert.equal(checkKeyName('a b'), 'key name contains a Unicode space');
    for (const space of ['\t', '\n', '\u0085', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u3000']) {
      assert.equal(checkKeyName(`a${space}b`), 'key name contains a Unicode space', JSON.stringify(space));
    }
    assert.equal(checkKeyName('a+b'), "key name contains '+'");
    assert.equal(checkKeyName('a\u0001b'), 'key name contains a control character');
    assert.equal(checkKeyName('a\udc00'), 'key name is not valid UTF-8 (lone surrogate)');
  });

  test('noteKeyId is the big-endian first four bytes of SHA-256(name || 0x0A || type || key)', () => {
    const key = Buffer.from(GO_NOTE.peterVkey.split('+')[2] as string, 'base64');
    const type = key.subarray(0, 1);
    const raw = key.subarray(1);
    assert.equal(noteKeyId('PeterNeumann', type, raw), GO_NOTE.peterKeyId);
    const name = 'example.com/ünïcode';
    const h = createHash('sha256')
      .update(Buffer.from(name, 'utf8'))
      .update('\n')
      .update(Buffer.from([0xff, 0x0a]))
      .update(raw)
      .digest();
    assert.equal(noteKeyId(name, Uint8Array.of(0xff, 0x0a), raw), h.readUInt32BE(0));
  });

  test('noteKeyId refuses an invalid name or an empty type', () => {
    assert.throws(() => noteKeyId('a b', Uint8Array.of(1), new Uint8Array(32)), RangeError);
    assert.throws(() => noteKeyId('a', new Uint8Array(0), new Uint8Array(32)), RangeError);
  });
});

describe('the byte helpers', () => {
  test('decodeUtf8 agrees with a fatal TextDecoder on valid and invalid input', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const reference = (b: Uint8Array): string | undefined => {
      try {
        return decoder.decode(b);
      } catch {
        return undefined;
      }
    };
    const samples = [
      Buffer.from('plain ASCII'),
      Buffer.from('é — 東京 🌍 \u{10ffff} \ufeff'),
      Uint8Array.of(0xf0, 0x9f, 0x8c),
      Uint8Array.of(0xe0, 0x80, 0x80),
      Uint8Array.of(0xf0, 0x80, 0x80, 0x80),
      Uint8Array.of(0xc1, 0xbf),
      Uint8Array.of(0x80),
    ];
    for (let i = 0; i < 2000; i++) samples.push(randomBytes(1 + (i % 12)));
    for (const s of samples) assert.equal(decodeUtf8(s), reference(s), Buffer.from(s).toString('hex'));
  });

  test('encodeBase64 is standard padded base64', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      assert.equal(encodeBase64(bytes), bytes.toString('base64'));
    }
  });
});
