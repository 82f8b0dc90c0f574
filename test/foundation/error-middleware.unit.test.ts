import { ServiceError } from '@temporalio/client';
import Koa from 'koa';
import { errorMiddleware } from '../../src/http/error-middleware';
import { TOOLKIT_ERRORS } from '../../src/http/errors';
import { createLogger } from '../../src/logger';
import { inProcess } from '../harness/http';

/** An app whose only handler throws `err`, behind the toolkit's error middleware. */
function failingWith(err: Error) {
  const app = new Koa();
  app.use(errorMiddleware(createLogger('test', 'silent'), TOOLKIT_ERRORS));
  app.use(() => {
    throw err;
  });
  return inProcess(app);
}

/** What the Temporal client throws when the server refuses a call with a gRPC status. */
function temporalRefusal(grpcCode: number, detail: string): ServiceError {
  return new ServiceError('Workflow Update failed', {
    cause: Object.assign(new Error(`${grpcCode} ${detail}`), { code: grpcCode }),
  });
}

describe('the error middleware tells "retry shortly" from "a bug"', () => {
  it('an update refused while the workflow task keeps failing or timing out is 503 with Retry-After, not 500', async () => {
    const answer = await failingWith(
      temporalRefusal(
        9,
        'FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.',
      ),
    )('/');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ error: 'service_unavailable' });
  });

  it('so is an Update-with-Start refused for the same reason (the client rethrows the raw gRPC error with its code)', async () => {
    const raw = Object.assign(new Error('Unable to perform workflow execution update due to Workflow Task in failed state.'), { code: 9 });
    const answer = await failingWith(raw)('/');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'service_unavailable' });
    const other = Object.assign(new Error('Update-with-Start could not be executed.'), { code: 9 });
    expect((await failingWith(other)('/')).status).toBe(500);
  });

  it('Temporal unreachable is 503 too', async () => {
    expect((await failingWith(temporalRefusal(14, 'UNAVAILABLE: connection refused'))('/')).status).toBe(503);
  });

  it('another failed precondition is a 500 (logged), whose answer reveals nothing', async () => {
    const answer = await failingWith(temporalRefusal(9, 'FAILED_PRECONDITION: something else'))('/');
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'internal_error', message: 'an unexpected error occurred' });
  });
});
