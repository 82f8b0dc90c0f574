import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import { AesGcmPayloadCodec } from './encryption-codec';

/**
 * The data converter of every Temporal client and worker of the project: default JSON payloads, encrypted by the
 * AES-GCM codec. Two processes talking about the same workflow must use the same keys (PAYLOAD_ENCRYPTION_KEYS).
 */
export function temporalDataConverter(config: Pick<Config, 'PAYLOAD_ENCRYPTION_KEYS'>): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(config.PAYLOAD_ENCRYPTION_KEYS)] };
}
