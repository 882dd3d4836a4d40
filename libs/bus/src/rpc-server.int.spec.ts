import 'reflect-metadata';
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { TakesError } from '@takes/contracts';
import { of } from 'rxjs';
import { RpcController } from './rpc-controller';
import { requestJson } from './rpc-client';
import { NatsRpcServer } from './rpc-server';
import { createTestStream, type TestStream } from '@takes/testing';

@RpcController()
class ProbeHandler {
  @MessagePattern('probe.ok')
  ok(@Payload() body: { n: number }) {
    return { doubled: body.n * 2 };
  }

  @MessagePattern('probe.observable')
  observable() {
    return of({ from: 'observable' });
  }

  @MessagePattern('probe.refuse')
  async refuse(): Promise<never> {
    throw new TakesError('CONFLICT', 'taken', { version: 4, current: { y: 'b' } });
  }

  @MessagePattern('probe.crash')
  crash(): never {
    throw new Error('SELECT * FROM secrets failed at line 3');
  }

  @MessagePattern('probe.known')
  async known(): Promise<never> {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
}

@Module({ controllers: [ProbeHandler] })
class ProbeModule {}

let ts: TestStream;
let app: INestMicroservice;
const reported: Array<{ message: string; subject: string }> = [];

beforeAll(async () => {
  ts = await createTestStream({ create: false });
  app = await NestFactory.createMicroservice(ProbeModule, {
    strategy: new NatsRpcServer({
      connection: () => ts.nc,
      subjectPrefix: ts.prefix,
      queue: 'probe',
      maxInFlight: 10,
      onError: (error, subject) => reported.push({ message: (error as Error).message, subject }),
      knownError: (error) => ((error as { code?: string }).code === 'ECONNREFUSED' ? new TakesError('UNAVAILABLE', 'PostgreSQL is unavailable, retry later') : undefined),
    }),
    logger: false,
  });
  await app.listen();
});

afterAll(async () => {
  await app.close();
  await ts.cleanup();
});

const ask = (what: string, body: unknown = {}) => requestJson(ts.nc, `${ts.prefix}probe.${what}`, body, { timeoutMs: 5_000 });

describe('NatsRpcServer', () => {
  it('answers {data} with what a handler returned, a value or an observable', async () => {
    expect(await ask('ok', { n: 21 })).toEqual({ data: { doubled: 42 } });
    expect(await ask('observable')).toEqual({ data: { from: 'observable' } });
  });

  it('answers a thrown TakesError with its code, message and details, and reports nothing', async () => {
    expect(await ask('refuse')).toEqual({ error: { code: 'CONFLICT', message: 'taken', details: { version: 4, current: { y: 'b' } } } });
    expect(reported).toEqual([]);
  });

  it('answers an unexpected error INTERNAL_ERROR without its text, and reports it', async () => {
    expect(await ask('crash')).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    expect(reported).toEqual([{ message: 'SELECT * FROM secrets failed at line 3', subject: `${ts.prefix}probe.crash` }]);
  });

  it('answers a failure knownError names with its TakesError', async () => {
    reported.length = 0;
    expect(await ask('known')).toEqual({ error: { code: 'UNAVAILABLE', message: 'PostgreSQL is unavailable, retry later' } });
    expect(reported).toEqual([]);
  });

  it('answers a body that is not JSON INVALID_PAYLOAD', async () => {
    const msg = await ts.nc.request(`${ts.prefix}probe.ok`, Buffer.from('{not json'), { timeout: 5_000 });
    expect(JSON.parse(Buffer.from(msg.data).toString('utf8'))).toMatchObject({ error: { code: 'INVALID_PAYLOAD' } });
  });
});
