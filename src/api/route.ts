import { routeDeclarer } from '../http/route';
import { AUTH_SCHEMES } from './auth';
import type { ErrorCode } from './error-codes';

/** Declares one operation of the API: its route names one of AUTH_SCHEMES and answers codes of ERROR_CODES. */
export const defineRoute = routeDeclarer<typeof AUTH_SCHEMES, ErrorCode>(AUTH_SCHEMES);
