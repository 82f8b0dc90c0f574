import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './encryption-codec';

/**
 * The data converter of every Temporal client and worker of the project: default JSON payloads, encrypted by the
 * AES-GCM codec. Two processes talking about the same workflow must use the same keys (PAYLOAD_ENCRYPTION_KEYS).
 * PAYLOAD_ENCRYPTION=off (never in production: the config refuses it) leaves payloads in clear text, so the bench
 * can measure what encryption costs; such a process cannot read payloads that others encrypted.
 */
export function temporalDataConverter(
  config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'> & Partial<Pick<Config, 'PAYLOAD_ENCRYPTION'>>,
): DataConverter {
  if (config.PAYLOAD_ENCRYPTION === 'off') return {};
  return { payloadCodecs: [new AesGcmPayloadCodec(config.PAYLOAD_ENCRYPTION_KEYS)] };
}
