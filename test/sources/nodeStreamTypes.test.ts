import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { firstValueFrom, lastValueFrom, map, range, toArray } from 'rxjs';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  CreditController,
  type NodeObjectReadable,
  type NodeReadableLike,
  type NodeWritableLike,
  pullFrom,
  toNodeReadable,
  writeTo,
} from '../../src/index.js';

// The package declares the Node.js streams it touches by shape, so that its types need no @types/node.
// With @types/node present, every Node.js stream type must still fit where it did before.
let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'rxjs-backpressure-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the Node.js stream shapes, with @types/node present', () => {
  it('take every Node.js readable type pullFrom took before, a file stream read as credit arrives', async () => {
    expectTypeOf<Readable>().toExtend<NodeReadableLike>();
    expectTypeOf<NodeJS.ReadableStream>().toExtend<NodeReadableLike>();
    expectTypeOf<typeof process.stdin>().toExtend<NodeReadableLike>();
    const file = join(directory, 'lines.txt');
    await writeFile(file, 'a\nb\n');
    const stream: NodeJS.ReadableStream = createReadStream(file, { encoding: 'utf8' });
    const chunks = await lastValueFrom(
      pullFrom(stream, new CreditController({ initial: 10 })).pipe(toArray()),
    );
    expect(chunks.join('')).toBe('a\nb\n');
  });

  it('take every Node.js writable type writeTo took before, a file stream written to the end', async () => {
    expectTypeOf<Writable>().toExtend<NodeWritableLike>();
    expectTypeOf<NodeJS.WritableStream>().toExtend<NodeWritableLike>();
    expectTypeOf<typeof process.stdout>().toExtend<NodeWritableLike>();
    const file = join(directory, 'out.txt');
    const out: NodeJS.WritableStream = createWriteStream(file);
    await lastValueFrom(range(0, 3).pipe(map(String), writeTo<string>(out)), { defaultValue: 'done' });
    expect(await readFile(file, 'utf8')).toBe('012');
  });

  it("describe toNodeReadable's result, which is a real Readable and reads as one", async () => {
    const letters = toNodeReadable((credits) => pullFrom(['a', 'b', 'c'], credits), { highWaterMark: 2 });
    expectTypeOf(letters).toEqualTypeOf<NodeObjectReadable<string>>();
    expectTypeOf<Readable>().toExtend<NodeObjectReadable<unknown>>();
    expect(letters).toBeInstanceOf(Readable);
    const copy = new PassThrough({ objectMode: true });
    const piped = (letters as Readable).pipe(copy);
    expect(piped).toBe(copy);
    expect(await firstValueFrom(pullFrom(copy, new CreditController({ initial: 1 })))).toBe('a');
    copy.destroy();
  });

  it('let stream.pipeline carry the result into a Node.js writable', async () => {
    const file = join(directory, 'letters.txt');
    await pipeline(
      toNodeReadable((credits) => pullFrom(['x\n', 'y\n'], credits)),
      createWriteStream(file),
    );
    expect(await readFile(file, 'utf8')).toBe('x\ny\n');
    const seen: string[] = [];
    await pipeline(
      toNodeReadable((credits) => pullFrom(['p', 'q'], credits)),
      new Writable({
        objectMode: true,
        write: (item: string, _encoding, done) => {
          seen.push(item);
          done();
        },
      }),
    );
    expect(seen).toEqual(['p', 'q']);
  });
});
