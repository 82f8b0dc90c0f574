// PLACEHOLDER until the data layer lands (h-ship-data): replaced at merge.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Shipment } from '../../workflows/order/definitions';
export async function findShipment(_em: EntityManager, _shipmentId: string): Promise<Shipment | undefined> {
  return undefined;
}
